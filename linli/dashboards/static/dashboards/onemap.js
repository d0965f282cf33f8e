/* The one map (综合一张图): Leaflet over local GeoJSON (a tile layer only when the operator configured one),
 * the attribution prefix off. Layers: grids, compounds, buildings, facilities with walking rings, open
 * cases, devices, live alarms; a layer control switches them; clicking opens the thing. The live layers
 * are re-read every 15 s. Also used by the big screen (window.LinliOneMap.mount(el, data, {compact})). */
(function () {
  "use strict";
  var GRID_FILLS = ["#dbeafe", "#fef3c7", "#dcfce7", "#fce7f3", "#ede9fe", "#ffedd5", "#cffafe", "#f1f5f9"];
  var KIND_COLOURS = { gas: "#dc2626", smoke: "#7c3aed", water: "#0284c7", electricity: "#ca8a04", temperature: "#ea580c",
    door: "#475569", camera: "#0f766e" };
  var FACILITY_COLOURS = { canteen: "#f97316", clinic: "#e11d48", school: "#2563eb", elder_centre: "#9333ea",
    sports: "#16a34a", service_centre: "#b91c1c" };
  var LIGHTS = { red: "#dc2626", yellow: "#eab308", green: "#16a34a", "": "#64748b" };

  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function url(template, id) { return template ? template.replace("{id}", id) : "#"; }
  function link(template, id, text) { return '<a href="' + esc(url(template, id)) + '">' + esc(text) + "</a>"; }

  function mount(element, data, options) {
    options = options || {};
    var L = window.L;
    var map = L.map(element, { zoomSnap: 0.25, scrollWheelZoom: !options.compact, attributionControl: true });
    map.attributionControl.setPrefix(false);
    if (data.tileUrl) { L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map); }
    var labels = data.labels || {};
    var urls = data.urls || {};
    var fills = {};
    var places = data.places.features;
    function byKind(kind) { return { type: "FeatureCollection", features: places.filter(function (f) { return f.properties.kind === kind && f.properties.role !== "self"; }) }; }
    var outline = L.geoJSON({ type: "FeatureCollection", features: places.filter(function (f) { return f.properties.role === "self"; }) },
      { style: { color: "#b91c1c", weight: 3, fill: false }, interactive: false }).addTo(map);
    var grids = L.geoJSON(byKind("grid"), {
      style: function (f) {
        var id = f.properties.id;
        if (!fills[id]) { fills[id] = GRID_FILLS[Object.keys(fills).length % GRID_FILLS.length]; }
        return { color: "#64748b", weight: 1.5, dashArray: "6 4", fillColor: fills[id], fillOpacity: 0.55 };
      },
      onEachFeature: function (f, layer) {
        layer.bindTooltip(esc(f.properties.name), { permanent: !options.compact, direction: "center", className: "grid-label" });
        layer.bindPopup(link(urls.place, f.properties.id, f.properties.name) + "<br>" + esc(f.properties.kind_label));
      }
    });
    var communities = L.geoJSON(byKind("community"), { style: { color: "#b45309", weight: 2, fill: false },
      onEachFeature: function (f, layer) { layer.bindPopup(link(urls.place, f.properties.id, f.properties.name)); } });
    var compounds = L.geoJSON(byKind("compound"), {
      style: { color: "#15803d", weight: 1.2, fillColor: "#86efac", fillOpacity: 0.4 },
      onEachFeature: function (f, layer) { layer.bindPopup(link(urls.place, f.properties.id, f.properties.name) + "<br>" + esc(f.properties.kind_label)); }
    });
    var buildings = L.geoJSON(byKind("building"), {
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 3.5, color: "#334155", weight: 1, fillColor: "#fff", fillOpacity: 1 }); },
      onEachFeature: function (f, layer) { layer.bindPopup(link(urls.place, f.properties.id, f.properties.name)); }
    });
    var facilities = L.layerGroup();
    var rings = L.layerGroup();
    (data.facilities.features || []).forEach(function (f) {
      var p = f.properties, c = f.geometry.coordinates, colour = FACILITY_COLOURS[p.kind] || "#334155";
      var latlng = [c[1], c[0]];
      var all = data.rings || [];
      // The 15-minute ring of every facility shows its reach; clicking one adds its 5- and 10-minute rings.
      if (all.length) {
        L.circle(latlng, { radius: all[all.length - 1], color: colour, weight: 1, opacity: 0.45, dashArray: "4 6",
          fillColor: colour, fillOpacity: 0.04, interactive: false }).addTo(facilities);
      }
      L.circleMarker(latlng, { radius: 8, color: "#fff", weight: 2, fillColor: colour, fillOpacity: 1 })
        .bindPopup("<strong>" + esc(p.name) + "</strong><br>" + esc(p.kind_label) + (p.hours ? "<br>" + esc(labels.hours) + " " + esc(p.hours) : "") +
          "<br>" + (data.ringMinutes || []).map(function (m, i) { return m + " " + esc(labels.minutes) + " ≈ " + all[i] + " m"; }).join(" · "))
        .bindTooltip(esc(p.name))
        .on("click", function () {
          rings.clearLayers();
          all.slice(0, -1).forEach(function (r) {
            L.circle(latlng, { radius: r, color: colour, weight: 2, opacity: 0.8, fill: false, interactive: false }).addTo(rings);
          });
        })
        .addTo(facilities);
    });
    rings.addTo(facilities);
    var cases = L.layerGroup(), devices = L.layerGroup(), alarms = L.layerGroup();

    function drawLive(live) {
      cases.clearLayers(); devices.clearLayers(); alarms.clearLayers();
      (live.cases.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 6, color: "#fff", weight: 1.5, fillColor: LIGHTS[p.light] || LIGHTS[""], fillOpacity: 0.95 })
          .bindPopup(link(urls.case, p.id, p.number) + "<br>" + esc(p.title) + "<br>" + esc(p.category) + " · " + esc(p.status_label))
          .addTo(cases);
      });
      (live.devices.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        L.circleMarker([c[1], c[0]], { radius: 4.5, color: p.online ? "#fff" : "#111827", weight: p.online ? 1 : 2,
          fillColor: p.online ? (KIND_COLOURS[p.kind] || "#334155") : "#9ca3af", fillOpacity: 0.95 })
          .bindPopup(link(urls.device, p.id, p.name) + "<br>" + esc(p.code) + " · " + esc(p.location) + "<br>" +
            (p.value == null ? "—" : esc(p.value) + " " + esc(p.unit)) + " · " + esc(p.online ? labels.online : labels.offline))
          .addTo(devices);
      });
      (live.alarms.features || []).forEach(function (f) {
        var p = f.properties, c = f.geometry.coordinates;
        var icon = L.divIcon({ className: "", html: '<div class="map-alarm' + (p.status === "acknowledged" ? " ack" : "") + '" data-testid="map-alarm"></div>', iconSize: [22, 22] });
        L.marker([c[1], c[0]], { icon: icon, zIndexOffset: 1000, title: p.name })
          .bindPopup("<strong>" + link(urls.alarm, p.id, p.name) + "</strong><br>" + esc(p.device) + "<br>" +
            (p.value == null ? "" : esc(p.value) + " " + esc(p.unit) + " · ") + esc(p.raised_at) +
            (p.case_id ? "<br>" + link(urls.case, p.case_id, labels.case || "→") : ""))
          .addTo(alarms);
      });
      element.setAttribute("data-alarms", String((live.alarms.features || []).length));
    }
    drawLive(data.live);
    [communities, grids, compounds, buildings, facilities, cases, devices, alarms].forEach(function (l) { l.addTo(map); });
    var overlays = {};
    overlays[esc(labels.grids)] = grids;
    overlays[esc(labels.compounds)] = compounds;
    overlays[esc(labels.buildings)] = buildings;
    overlays[esc(labels.facilities)] = facilities;
    overlays[esc(labels.cases)] = cases;
    overlays[esc(labels.devices)] = devices;
    overlays[esc(labels.alarms)] = alarms;
    L.control.layers(null, overlays, { collapsed: Boolean(options.compact) }).addTo(map);
    var bounds = outline.getBounds();
    if (!bounds.isValid()) { bounds = grids.getBounds(); }
    if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10], maxZoom: 18 }); } else { map.setView(data.center || [30.26, 120.17], 15); }
    if (data.liveUrl) {
      window.setInterval(function () {
        fetch(data.liveUrl, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
          .then(function (live) { if (live) { drawLive(live); } }).catch(function () {});
      }, options.refreshMs || 15000);
    }
    return map;
  }

  window.LinliOneMap = { mount: mount };
  var el = document.getElementById("one-map");
  var script = document.getElementById("one-map-data");
  if (el && script && window.L) { mount(el, JSON.parse(script.textContent)); }
})();
