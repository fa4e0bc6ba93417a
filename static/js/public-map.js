// The public map: folium made the L.map; this loads what is in view from
// /map/points.geojson on every move, zoom and filter change, without reloading the page.
// Everything from the server is written with textContent, never as HTML.
(function () {
  "use strict";
  var configEl = document.getElementById("public-map-config");
  if (!configEl || !window.L) return;
  var config = JSON.parse(configEl.textContent);
  var map = window[config.map];
  if (!map) return;
  var texts = config.texts;
  var form = document.getElementById("map-filters");
  var statusLine = document.getElementById("map-status");

  function colourOf(status) {
    return (config.statuses[status] || { colour: "#5b6575" }).colour;
  }
  // The legend's colours come from the same table as the points' (no inline styles: CSP).
  document.querySelectorAll(".map-legend .swatch").forEach(function (swatch) {
    swatch.style.background = colourOf(swatch.dataset.status);
  });
  function labelOf(status) {
    return (config.statuses[status] || { label: status }).label;
  }
  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) {
      return Number(values[key]).toLocaleString(config.language);
    });
  }

  // Street tiles if configured, and the offline outlines and place names served by us.
  var basemap = window.feedbackBasemap.addTo(map, {
    tiles: config.tiles, attribution: config.attribution, places: config.basemap, radius: 2
  });

  // Single tickets at street zoom, grouped by the browser when they share a spot.
  var ticketLayer = L.markerClusterGroup({
    maxClusterRadius: 30,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      var counts = {};
      cluster.getAllChildMarkers().forEach(function (m) {
        counts[m.options.status] = (counts[m.options.status] || 0) + 1;
      });
      var dominant = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; })[0];
      return clusterIcon(cluster.getChildCount(), dominant);
    }
  });
  // Grid cells counted by the database at city and governorate zoom.
  var cellLayer = L.layerGroup();
  // Incidents stand apart from the tickets' clusters: one marker each, never merged away.
  var incidentLayer = L.layerGroup();
  var complaints = L.layerGroup([ticketLayer, cellLayer, incidentLayer]).addTo(map);
  var heat = L.heatLayer([], { radius: 22, blur: 18 });

  var overlays = {};
  overlays[texts.complaints] = complaints;
  overlays[texts.heat] = heat;
  overlays[texts.places] = basemap.places;
  // Street tiles can be switched off when they fail offline.
  if (basemap.tiles) overlays[texts.tiles] = basemap.tiles;
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);

  function clusterIcon(count, status) {
    var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 44 : 52;
    var badge = element("span", "map-cluster", count.toLocaleString(config.language));
    badge.style.background = colourOf(status);
    badge.style.width = badge.style.height = badge.style.lineHeight = size + "px";
    return L.divIcon({ html: badge, className: "map-cluster-icon", iconSize: [size, size] });
  }

  function cellTooltip(props) {
    var box = element("div", "map-cell-tip");
    Object.keys(props.statuses).sort(function (a, b) {
      return props.statuses[b] - props.statuses[a];
    }).forEach(function (status) {
      box.appendChild(element("div", null, labelOf(status) + ": " + props.statuses[status].toLocaleString(config.language)));
    });
    box.appendChild(element("div", "muted", texts.zoom_in));
    return box;
  }

  function popupFor(props) {
    var box = element("div", "map-popup");
    var title = element("a", "map-popup-ref", props.reference);
    title.href = props.url;
    title.dir = "ltr";
    box.appendChild(title);
    var facts = element("dl", "map-popup-facts");
    [[texts.category, props.category_name], [texts.status, props.status_label], [texts.age, props.age]]
      .forEach(function (pair) {
        facts.appendChild(element("dt", null, pair[0]));
        // <bdi>: an English word in an Arabic popup (or back) keeps its own order.
        facts.appendChild(element("dd")).appendChild(element("bdi", null, pair[1]));
      });
    box.appendChild(facts);
    if (props.overdue) box.appendChild(element("p", "late", texts.overdue));
    if (props.summary) {
      var summary = element("p", "map-popup-text", props.summary);
      summary.dir = "auto";
      box.appendChild(summary);
    }
    var link = element("a", null, texts.open);
    link.href = props.url;
    box.appendChild(link);
    return box;
  }

  // An incident: one marker for all its reports, its page one click away.
  function incidentPopup(props) {
    var box = element("div", "map-popup");
    var title = element("a", "map-popup-ref", props.title);
    title.href = props.url;
    box.appendChild(title);
    var facts = element("dl", "map-popup-facts");
    [[texts.category, props.category_name], [texts.status, props.status_label],
     [texts.reports, Number(props.reports).toLocaleString(config.language)]]
      .forEach(function (pair) {
        facts.appendChild(element("dt", null, pair[0]));
        facts.appendChild(element("dd")).appendChild(element("bdi", null, pair[1]));
      });
    box.appendChild(facts);
    var link = element("a", null, texts.open_incident);
    link.href = props.url;
    box.appendChild(link);
    return box;
  }

  function show(data) {
    ticketLayer.clearLayers();
    cellLayer.clearLayers();
    incidentLayer.clearLayers();
    var heatPoints = [];
    var most = 1;
    data.features.forEach(function (feature) {
      var props = feature.properties;
      var latlng = L.latLng(feature.geometry.coordinates[1], feature.geometry.coordinates[0]);
      if (props.cluster) {
        most = Math.max(most, props.count);
        heatPoints.push([latlng.lat, latlng.lng, props.count]);
        var marker = L.marker(latlng, { icon: clusterIcon(props.count, props.status), keyboard: true });
        marker.bindTooltip(cellTooltip(props));
        marker.on("click", function () { map.setView(latlng, Math.min(map.getZoom() + 2, 18)); });
        cellLayer.addLayer(marker);
      } else if (props.incident) {
        heatPoints.push([latlng.lat, latlng.lng, props.reports]);
        var ring = L.circleMarker(latlng, {
          radius: Math.min(30, 9 + 3 * Math.sqrt(props.reports)), color: "#fff", weight: 3,
          fillColor: colourOf(props.status), fillOpacity: 0.85, status: props.status,
          className: "map-incident"
        });
        ring.bindPopup(function () { return incidentPopup(props); });
        incidentLayer.addLayer(ring);
      } else {
        heatPoints.push([latlng.lat, latlng.lng, 1]);
        var dot = L.circleMarker(latlng, {
          radius: 8, color: "#fff", weight: 2, fillColor: colourOf(props.status), fillOpacity: 0.95,
          status: props.status
        });
        dot.bindPopup(function () { return popupFor(props); });
        ticketLayer.addLayer(dot);
      }
    });
    heat.setOptions({ max: data.clustered ? most : 3 });
    heat.setLatLngs(heatPoints);
    var message;
    if (data.total === 0) message = texts.none;
    else if (data.clustered) message = format(texts.clustered, data);
    else if (data.shown < data.total) message = format(texts.truncated, data);
    else message = format(texts.shown, data);
    statusLine.textContent = message;
    map.getContainer().dataset.loaded = String(++loads);
  }

  function filterParams() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (value !== "") params.append(key, value);
    });
    return params;
  }

  var loads = 0;
  var pending = null;
  function load() {
    var params = filterParams();
    var query = params.toString();
    ["export-csv", "export-geojson"].forEach(function (id) {
      var link = document.getElementById(id);
      link.href = link.href.split("?")[0] + (query ? "?" + query : "");
    });
    history.replaceState(null, "", location.pathname + (query ? "?" + query : ""));
    var b = map.getBounds();
    params.set("bbox", [
      Math.max(b.getWest(), -180), Math.max(b.getSouth(), -90),
      Math.min(b.getEast(), 180), Math.min(b.getNorth(), 90)
    ].map(function (n) { return n.toFixed(4); }).join(","));
    params.set("zoom", String(map.getZoom()));
    if (pending) pending.abort();
    pending = new AbortController();
    statusLine.textContent = texts.loading;
    fetch(config.points + "?" + params.toString(), { signal: pending.signal })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(show)
      .catch(function (error) {
        if (error.name !== "AbortError") statusLine.textContent = texts.failed;
      });
  }

  map.on("moveend", load); // zoomend is followed by moveend: one request per change
  form.addEventListener("change", load);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    load();
  });
  document.getElementById("filter-reset").addEventListener("click", function (event) {
    event.preventDefault();
    form.reset();
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.type === "checkbox") field.checked = false;
      else if (field.tagName === "SELECT") field.value = "";
      else if (field.type === "date") field.value = "";
    });
    load();
  });
  load();
})();
