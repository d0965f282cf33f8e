/* Case page: a Leaflet map from the places' own GeoJSON (the grid's boundary, the case's building,
   the buildings nearby) and the case's point; tiles only when the operator configured them. */
(function () {
  "use strict";
  var el = document.getElementById("case-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = parseFloat(el.getAttribute("data-lat"));
  var lon = parseFloat(el.getAttribute("data-lon"));
  var source = document.getElementById("case-map-features");
  var data = source ? JSON.parse(source.textContent) : { features: [] };
  var map = L.map(el);
  var tiles = el.getAttribute("data-tiles");
  if (tiles) { L.tileLayer(tiles, { maxZoom: 19 }).addTo(map); }
  var STYLE = {
    grid: { color: "#1d4ed8", weight: 2, fillOpacity: 0.05 },
    self: { color: "#b02a37", weight: 3, fillOpacity: 0.3 },
    nearby: { color: "#475569", weight: 1, fillOpacity: 0.15 }
  };
  var layer = L.geoJSON(data, {
    style: function (f) { return STYLE[f.properties.role] || STYLE.nearby; },
    pointToLayer: function (f, latlng) {
      var self = f.properties.role === "self";
      return L.circleMarker(latlng, { radius: self ? 9 : 5, color: self ? "#b02a37" : "#475569", weight: self ? 3 : 1,
        fillColor: "#ffffff", fillOpacity: 1 });
    },
    onEachFeature: function (f, l) { l.bindTooltip(f.properties.name, { permanent: f.properties.role === "self" }); }
  });
  // The view is set before the shapes are added: Leaflet clips a polygon to the renderer's bounds, which a
  // map without a view does not have yet ("Cannot read properties of undefined (reading 'min')").
  var point = !isNaN(lat) && !isNaN(lon);
  if (point) {
    map.setView([lat, lon], 17);
  } else if (layer.getLayers().length) {
    var self = layer.getLayers().filter(function (l) { return l.feature.properties.role === "self"; })[0];
    if (self && self.getLatLng) { map.setView(self.getLatLng(), 17); } else { map.fitBounds(layer.getBounds(), { maxZoom: 17 }); }
  } else {
    el.hidden = true;
    return;
  }
  layer.addTo(map);
  if (point) { L.circleMarker([lat, lon], { radius: 10, color: "#b02a37", fillOpacity: 0.7 }).addTo(map); }
})();

/* Photo pickers of the action forms: show the chosen photos before sending. */
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-photo-input]").forEach(function (input) {
    var preview = input.parentNode.querySelector("[data-photo-preview]");
    if (!preview) { return; }
    input.addEventListener("change", function () {
      preview.textContent = "";
      Array.prototype.slice.call(input.files, 0, 9).forEach(function (file) {
        var img = document.createElement("img");
        img.src = URL.createObjectURL(file);
        img.alt = file.name;
        preview.appendChild(img);
      });
    });
  });
})();
