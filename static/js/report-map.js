// The report form's map: tap to drop a pin, or use the phone's location. Fills the hidden
// lat/lon fields; without JavaScript the form still works from the description alone.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) return;
  var latInput = document.getElementById("lat");
  var lonInput = document.getElementById("lon");
  var status = document.getElementById("pin-status");
  var clearButton = document.getElementById("clear-pin");
  // Tiles if configured, and our district outlines and places: usable offline (basemap.js).
  var map = window.feedbackBasemap.create(el, [30.515, 47.80], 12, 3);
  var marker = null;
  function place(lat, lon, zoom) {
    latInput.value = lat.toFixed(6);
    lonInput.value = lon.toFixed(6);
    if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
    if (zoom) map.setView([lat, lon], zoom);
    status.textContent = status.dataset.set;
    clearButton.hidden = false;
  }
  function clearPin() {
    latInput.value = ""; lonInput.value = "";
    if (marker) { map.removeLayer(marker); marker = null; }
    status.textContent = status.dataset.none;
    clearButton.hidden = true;
  }
  map.on("click", function (e) { place(e.latlng.lat, e.latlng.lng); });
  clearButton.addEventListener("click", clearPin);
  document.getElementById("use-location").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = status.dataset.denied; return; }
    navigator.geolocation.getCurrentPosition(
      function (pos) { place(pos.coords.latitude, pos.coords.longitude, 15); },
      function () { status.textContent = status.dataset.denied; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });
  if (el.dataset.lat && el.dataset.lon) {
    place(parseFloat(el.dataset.lat), parseFloat(el.dataset.lon), 14);
  } else {
    clearPin();
  }
})();
