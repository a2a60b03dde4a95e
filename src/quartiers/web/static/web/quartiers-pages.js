/* Quartiers — pages publiques : cartes Leaflet (hors ligne, fond de carte optionnel),
   autocomplétion d'adresse, progression des traitements, impression de l'attestation. */
(function () {
  "use strict";

  // Commandes de Leaflet en français.
  function frenchControls(map) {
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" title="Bibliothèque de cartes">Leaflet</a>');
    L.control.zoom({ zoomInTitle: "Zoom avant", zoomOutTitle: "Zoom arrière", position: "topleft" }).addTo(map);
  }

  // Fond de carte (Plan IGN par défaut) : s'il ne répond pas (hors ligne), on le retire sans bruit
  // et les périmètres restent sur le fond neutre.
  function baseLayer(el, map) {
    if (!el.dataset.tiles) { el.classList.add("q-map--neutral"); return; }
    var layer = L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution || "", maxZoom: 19 });
    var failed = false;
    layer.on("tileerror", function () {
      if (failed) { return; }
      failed = true;
      map.removeLayer(layer);
      el.classList.add("q-map--neutral");
      el.dataset.tiles = "";
      el.dataset.tilesFailed = "1";
    });
    layer.addTo(map);
  }

  // Un nombre lu dans un attribut : toujours écrit à la machine (point décimal), jamais localisé.
  function coordinate(value) {
    var n = Number(value);
    return value !== undefined && value !== "" && isFinite(n) ? n : null;
  }

  function initMap(el) {
    if (typeof L === "undefined") { return; }
    var map = L.map(el, { scrollWheelZoom: false, keyboard: true, attributionControl: true, zoomControl: false });
    frenchControls(map);
    baseLayer(el, map);
    var group = L.featureGroup().addTo(map);
    var point = null;
    var lon = coordinate(el.dataset.lon), lat = coordinate(el.dataset.lat);
    if (lon !== null && lat !== null) {
      point = L.circleMarker([lat, lon], { radius: 8, color: "#000091", weight: 3, fillColor: "#fff", fillOpacity: 1, className: "q-marker" })
        .bindTooltip("Adresse").addTo(group);
    }
    function fit() {
      var bounds = group.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds.pad(0.15), { maxZoom: 17 }); }
      else { map.setView([46.6, 2.4], 5); }
      el.dataset.ready = "1";
    }
    if (!el.dataset.geojson) { fit(); return; }
    fetch(el.dataset.geojson, { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) {
          L.geoJSON(data, {
            className: "q-perimeter",
            style: { color: "#e1000f", weight: 2, fillColor: "#e1000f", fillOpacity: 0.2 },
            onEachFeature: function (feature, layer) {
              var p = feature.properties || {};
              var label = (p.code || "") + " " + (p.name || "");
              if (p.url) {
                var link = document.createElement("a");
                link.href = p.url; link.textContent = label;
                layer.bindPopup(link);
              } else { layer.bindTooltip(label); }
            }
          }).addTo(group);
          if (point) { point.bringToFront(); }
          el.dataset.features = String((data.features || [data]).length);
        }
        fit();
      })
      .catch(fit);
  }

  function initSuggest(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.length < 3 || q === last) { return; }
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(input.dataset.suggestUrl + "?limit=6&q=" + encodeURIComponent(q))
          .then(function (r) { return r.json(); })
          .then(function (data) {
            list.innerHTML = "";
            (data.results || []).forEach(function (item) {
              var option = document.createElement("option");
              option.value = item.label;
              list.appendChild(option);
            });
          })
          .catch(function () { /* l'autocomplétion est un confort : la saisie libre reste possible */ });
      }, 200);
    });
  }

  // Après l'envoi d'un formulaire, le focus va au résultat (ou au champ en erreur).
  function focusResult() {
    var target = document.querySelector("[data-focus]");
    if (target) { target.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusResult();
    document.querySelectorAll(".q-map").forEach(initMap);
    document.querySelectorAll("input[data-suggest-url]").forEach(initSuggest);
    document.querySelectorAll("[data-print]").forEach(function (b) {
      b.addEventListener("click", function () { window.print(); });
    });
  });
})();
