// The basemap under every map here (the public map, the report form's pin map, the officer's
// ticket map): street tiles when the deployment has a tile server (TILE_URL), and our own
// district outlines and labelled places from /areas/basemap.geojson, so that a map stays
// usable offline. Place names are admin-edited: they become text nodes, never HTML (Leaflet
// reads a string tooltip as HTML).
window.feedbackBasemap = (function () {
  "use strict";
  var MAX_ZOOM = 18;

  function tiles(map, url, attribution) {
    if (!url) return null;
    return L.tileLayer(url, { maxZoom: MAX_ZOOM, attribution: attribution || "" }).addTo(map);
  }

  function places(map, url, radius) {
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
  }

  // On an existing L.map: options.tiles and options.attribution (tiles, if a URL is given),
  // options.places and options.radius (outlines and places, if a URL is given).
  // Returns the layers added, { tiles, places }, either of them null.
  function addTo(map, options) {
    return {
      tiles: tiles(map, options.tiles, options.attribution),
      places: options.places ? places(map, options.places, options.radius || 3) : null
    };
  }

  // A new map in `el`, centred on `center` at `zoom`, with the basemap its data attributes
  // name: data-tiles, data-attribution, data-basemap (the outlines' URL).
  function create(el, center, zoom, radius) {
    var map = L.map(el, { maxZoom: MAX_ZOOM }).setView(center, zoom);
    addTo(map, {
      tiles: el.dataset.tiles,
      attribution: el.dataset.attribution,
      places: el.dataset.basemap,
      radius: radius
    });
    return map;
  }

  return { addTo: addTo, create: create };
})();
