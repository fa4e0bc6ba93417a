// Our offline basemap (district outlines and labelled places from /areas/basemap.geojson),
// shared by the report form's map and the public map. Names are admin-edited: they become
// text nodes, never HTML (Leaflet reads a string tooltip as HTML).
window.feedbackBasemap = function (map, url, radius) {
  "use strict";
  var nameKey = document.documentElement.lang === "ar" ? "name_ar" : "name_en";
  var layer = L.geoJSON(null, {
    style: { color: "#0b6e4f", weight: 1.5, fillOpacity: 0.03 },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, { radius: radius, color: "#5b6575", weight: 1, fillOpacity: 0.8, interactive: false });
    },
    onEachFeature: function (feature, shape) {
      var label = document.createElement("span");
      label.textContent = String(feature.properties[nameKey] || "");
      shape.bindTooltip(label, feature.geometry.type === "Point"
        ? { permanent: true, direction: "right", className: "place-label" }
        : { sticky: true });
    }
  }).addTo(map);
  fetch(url).then(function (r) { return r.json(); }).then(function (data) {
    layer.addData(data);
    layer.bringToBack();
  });
  return layer;
};
