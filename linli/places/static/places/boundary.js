/* The boundary editor: click to add corners (drag a corner to move it), undo, finish, start over; or
 * click once to place a building. The result is written as GeoJSON into the form's text field, which
 * the server validates when the form is saved. The parent and neighbours are drawn for reference. */
(function () {
  "use strict";

  var element = document.querySelector("[data-place-map][data-editor]");
  var form = document.querySelector("[data-boundary-form]");
  if (!element || !form || !window.LinliPlaces) { return; }
  var textarea = form.querySelector("[data-geojson-input]");
  var status = form.querySelector("[data-draw-status]");
  var created = window.LinliPlaces.createMap(element, { editor: true });
  var map = created.map;
  var mode = created.data.mode || "polygon";
  var texts = {
    corners: element.getAttribute("data-text-corners") || "corners",
    finished: element.getAttribute("data-text-finished") || "finished",
    needThree: element.getAttribute("data-text-need-three") || "3+"
  };

  var vertices = [];      // L.LatLng
  var markers = [];       // draggable corner markers
  var finished = false;
  var shape = null;       // preview polyline / polygon
  var selfLayers = [];    // the place's current geometry, hidden once drawing starts

  created.layer.eachLayer(function (l) {
    if (l.feature && l.feature.properties && l.feature.properties.role === "self") { selfLayers.push(l); }
  });

  function say(text) { if (status) { status.textContent = text; } }

  function hideSelf() {
    selfLayers.forEach(function (l) { created.layer.removeLayer(l); });
    selfLayers = [];
  }

  function round(x) { return Math.round(x * 1e7) / 1e7; }

  function writeGeoJSON() {
    if (!textarea) { return; }
    if (mode === "point") {
      textarea.value = vertices.length ? JSON.stringify({
        type: "Point", coordinates: [round(vertices[0].lng), round(vertices[0].lat)]
      }) : "";
      return;
    }
    if (!finished || vertices.length < 3) { textarea.value = ""; return; }
    var ring = vertices.map(function (v) { return [round(v.lng), round(v.lat)]; });
    ring.push(ring[0].slice());
    textarea.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
  }

  function redraw() {
    if (shape) { map.removeLayer(shape); shape = null; }
    if (mode === "polygon" && vertices.length) {
      shape = finished
        ? L.polygon(vertices, { color: "#0d6efd", weight: 3, fillOpacity: 0.15 })
        : L.polyline(vertices, { color: "#0d6efd", weight: 2, dashArray: "4 4" });
      shape.addTo(map);
    }
    markers.forEach(function (m, i) {
      var icon = m.getElement && m.getElement();
      if (icon) { icon.classList.toggle("place-vertex-first", i === 0); }
    });
    writeGeoJSON();
    if (mode === "point") {
      say(vertices.length ? texts.finished : "");
    } else {
      say(finished ? texts.finished : vertices.length + " " + texts.corners);
    }
  }

  function addVertex(latlng) {
    var marker = L.marker(latlng, {
      draggable: true, keyboard: false,
      icon: L.divIcon({ className: "place-vertex", iconSize: [12, 12] })
    }).addTo(map);
    marker.on("drag", function () {
      var i = markers.indexOf(marker);
      if (i !== -1) { vertices[i] = marker.getLatLng(); redraw(); }
    });
    marker.on("click", function () {
      // clicking the first corner closes the shape
      if (mode === "polygon" && markers.indexOf(marker) === 0 && vertices.length >= 3) { finish(); }
    });
    vertices.push(latlng);
    markers.push(marker);
  }

  function clearAll() {
    markers.forEach(function (m) { map.removeLayer(m); });
    markers = [];
    vertices = [];
    finished = false;
    redraw();
  }

  function finish() {
    if (vertices.length < 3) { say(texts.needThree); return; }
    finished = true;
    redraw();
  }

  // Start from the current geometry when it is one simple shape.
  var current = (created.data.features.features || []).filter(function (f) {
    return f.properties && f.properties.role === "self";
  })[0];
  if (current && current.geometry) {
    var g = current.geometry;
    if (mode === "point" && g.type === "Point") {
      hideSelf();
      addVertex(L.latLng(g.coordinates[1], g.coordinates[0]));
      redraw();
    } else if (mode === "polygon" && g.type === "Polygon" && g.coordinates.length === 1) {
      hideSelf();
      g.coordinates[0].slice(0, -1).forEach(function (c) { addVertex(L.latLng(c[1], c[0])); });
      finished = true;
      redraw();
    }
  }
  if (textarea) { textarea.dataset.touched = ""; }

  map.on("click", function (event) {
    hideSelf();
    if (mode === "point") {
      clearAll();
      addVertex(event.latlng);
      redraw();
      return;
    }
    if (finished) { return; } // drag corners to change a finished shape, or start over
    addVertex(event.latlng);
    redraw();
  });

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-draw]");
    if (!button) { return; }
    var action = button.getAttribute("data-draw");
    if (action === "undo" && vertices.length) {
      finished = false;
      map.removeLayer(markers.pop());
      vertices.pop();
      redraw();
    } else if (action === "finish") {
      finish();
    } else if (action === "clear") {
      hideSelf();
      clearAll();
    }
  });
})();
