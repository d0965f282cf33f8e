/* Place maps with Leaflet and local GeoJSON (no tile server needed; a tile layer when the operator
 * configures one). Data comes from a json_script element named by data-place-map:
 *   {features: FeatureCollection, tileUrl, tileAttribution, center: [lat, lon], nodeUrl: "/places/{id}/"}
 * Each feature's properties.role (self, child, parent, sibling) sets its style.
 *
 * window.LinliPlaces.createMap(element) returns {map, data, layer}; other pages (the community profile,
 * the one map) can call it on their own element. Elements without data-editor are set up on load. */
(function () {
  "use strict";

  var STYLES = {
    self: { color: "#0d6efd", weight: 3, fillOpacity: 0.12 },
    child: { color: "#20c997", weight: 2, fillOpacity: 0.18 },
    parent: { color: "#6c757d", weight: 2, dashArray: "6 4", fillOpacity: 0 },
    sibling: { color: "#adb5bd", weight: 1.5, fillOpacity: 0.08 }
  };

  function styleFor(feature) {
    var role = (feature.properties && feature.properties.role) || "child";
    return STYLES[role] || STYLES.child;
  }

  function readData(element) {
    var source = document.getElementById(element.getAttribute("data-place-map"));
    return source ? JSON.parse(source.textContent) : { features: { type: "FeatureCollection", features: [] } };
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function createMap(element, options) {
    options = options || {};
    var data = readData(element);
    var map = L.map(element, {
      zoomControl: true,
      attributionControl: Boolean(data.tileUrl),
      doubleClickZoom: !options.editor
    });
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    }
    var layer = L.geoJSON(data.features, {
      style: styleFor,
      pointToLayer: function (feature, latlng) {
        var s = styleFor(feature);
        return L.circleMarker(latlng, { radius: 6, color: s.color, weight: 2, fillOpacity: 0.8 });
      },
      onEachFeature: function (feature, featureLayer) {
        var p = feature.properties || {};
        var label = escapeHtml(p.name) + (p.kind_label ? " · " + escapeHtml(p.kind_label) : "");
        featureLayer.bindTooltip(label, { sticky: true, className: "place-label" });
        if (!options.editor && data.nodeUrl && p.role !== "self") {
          featureLayer.on("click", function () { window.location.href = data.nodeUrl.replace("{id}", p.id); });
        }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
    } else {
      map.setView(data.center || [30.25, 120.16], 14);
    }
    return { map: map, data: data, layer: layer };
  }

  window.LinliPlaces = { createMap: createMap, styleFor: styleFor };

  document.querySelectorAll("[data-place-map]:not([data-editor])").forEach(function (element) {
    createMap(element);
  });
})();
