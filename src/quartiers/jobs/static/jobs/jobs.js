/* Quartiers — rafraîchit l'état d'un traitement en arrière-plan (partiel jobs/_job.html).
   Aucun script en ligne : la page reste sous une politique de sécurité du contenu stricte. */
(function () {
  "use strict";

  function poll(box) {
    var url = box.dataset.jobStatusUrl;
    var state = box.dataset.jobState;
    if (state === "done" || state === "failed" || state === "cancelled") { return; }
    function field(name) { return box.querySelector('[data-job-field="' + name + '"]'); }
    function tick() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (s) {
          var bar = field("progress");
          if (bar) { bar.value = s.percent; bar.textContent = s.percent + " %"; }
          if (field("percent")) { field("percent").textContent = String(s.percent); }
          if (field("progress_label")) { field("progress_label").textContent = s.progress_label || ""; }
          if (field("state_label")) { field("state_label").textContent = s.state_label; }
          if (s.finished || s.state !== state) { window.location.reload(); return; }
          setTimeout(tick, 1000);
        })
        .catch(function () { setTimeout(tick, 3000); });
    }
    setTimeout(tick, 500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-status-url]").forEach(poll);
  });
})();
