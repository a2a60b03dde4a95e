/* Identification : un clic (ou Entrée) sur un agrégat de la carte affiche son explication.
   Fichier séparé, sans script en ligne : la politique de sécurité du contenu (CSP) l'exige. */
(function () {
  "use strict";
  var code = document.getElementById("explanation-code");
  var text = document.getElementById("explanation-text");
  if (!code || !text) { return; }
  function show(el) {
    document.querySelectorAll("#ident-map .agg.selected").forEach(function (o) { o.classList.remove("selected"); });
    el.classList.add("selected");
    code.textContent = el.getAttribute("data-code");
    text.textContent = el.getAttribute("data-explanation");
  }
  document.querySelectorAll("#ident-map .agg").forEach(function (el) {
    el.addEventListener("click", function () { show(el); });
    el.addEventListener("keydown", function (e) { if (e.key === "Enter") { show(el); } });
  });
})();
