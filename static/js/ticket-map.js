// An officer's view of where the ticket is: the exact point, on tiles or on nothing offline.
(function () {
  "use strict";
  var el = document.getElementById("ticket-map");
  if (!el || !window.L) return;
  var point = [parseFloat(el.dataset.lat), parseFloat(el.dataset.lon)];
  var map = window.feedbackBasemap.create(el, point, 15);
  L.marker(point).addTo(map);
})();
