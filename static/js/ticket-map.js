// An officer's view of where the ticket is: the exact point, on tiles or on nothing offline.
(function () {
  "use strict";
  var el = document.getElementById("ticket-map");
  if (!el || !window.L) return;
  var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var map = L.map(el, { maxZoom: 18 }).setView(point, 15);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: el.dataset.attribution }).addTo(map);
  }
  L.marker(point).addTo(map);
})();
