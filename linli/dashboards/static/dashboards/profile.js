/* The community profile's charts (Apache ECharts) and map (Leaflet, local GeoJSON; a tile layer only when
 * the operator configures one). Data comes from json_script elements: #profile-data
 *   {pyramid: {bands, male, female}, tags: [{code, name, count, sensitive}],
 *    units: [{id, name, label, households, residents, elderly}], labels: {...}}
 * and the element named by the map's data-profile-map
 *   {features: FeatureCollection, tileUrl, tileAttribution, center: [lat, lon], gridUrl, placeUrl}. */
(function () {
  "use strict";

  var INK = "#1d2530";
  var MUTED = "#4f5b67";
  var RED = "#a8201a";
  var COLOURS = { male: "#2563eb", female: "#db2777", households: "#0e7490", residents: "#a8201a", elderly: "#d97706",
                  tag: "#0e7490", sensitive: "#7c3aed" };
  var GRID_FILLS = ["#fde68a", "#bfdbfe", "#bbf7d0", "#fecaca", "#ddd6fe", "#a5f3fc", "#fbcfe8", "#fed7aa"];
  var charts = [];

  function readJson(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function chart(id, option) {
    var element = document.getElementById(id);
    if (!element || !window.echarts) { return null; }
    var instance = window.echarts.init(element, null, { renderer: "canvas" });
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily, color: INK };
    option.animation = false;
    instance.setOption(option);
    charts.push(instance);
    return instance;
  }

  function abs(value) { return Math.abs(Number(value)).toLocaleString(); }

  function pyramid(data) {
    var p = data.pyramid;
    chart("chart-pyramid", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: abs },
      legend: { top: 0, data: [data.labels.male, data.labels.female] },
      grid: { left: 8, right: 16, top: 32, bottom: 4, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: abs, color: MUTED, hideOverlap: true }, splitLine: { lineStyle: { color: "#eceef1" } } },
      yAxis: { type: "category", data: p.bands, axisTick: { show: false }, axisLabel: { color: MUTED } },
      series: [
        { name: data.labels.male, type: "bar", stack: "age", barCategoryGap: "18%",
          itemStyle: { color: COLOURS.male, borderRadius: [3, 0, 0, 3] },
          data: p.male.map(function (v) { return -v; }) },
        { name: data.labels.female, type: "bar", stack: "age",
          itemStyle: { color: COLOURS.female, borderRadius: [0, 3, 3, 0] }, data: p.female }
      ]
    });
  }

  function tags(data) {
    var rows = data.tags.slice().reverse();  // the largest on top
    chart("chart-tags", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 48, top: 8, bottom: 4, containLabel: true },
      xAxis: { type: "value", axisLabel: { color: MUTED, hideOverlap: true }, splitLine: { lineStyle: { color: "#eceef1" } } },
      yAxis: { type: "category", axisTick: { show: false }, axisLabel: { color: INK },
               data: rows.map(function (t) { return t.sensitive ? t.name + "（" + data.labels.sensitive + "）" : t.name; }) },
      series: [{
        name: data.labels.residents, type: "bar", barMaxWidth: 22,
        label: { show: true, position: "right", color: INK, formatter: function (p) { return Number(p.value).toLocaleString(); } },
        data: rows.map(function (t) {
          return { value: t.count, itemStyle: { color: t.sensitive ? COLOURS.sensitive : COLOURS.tag, borderRadius: [0, 3, 3, 0] } };
        })
      }]
    });
  }

  function units(data) {
    var names = data.units.map(function (u) { return u.label || u.name; });
    function series(key) {
      return { name: data.labels[key], type: "bar", barMaxWidth: 26, itemStyle: { color: COLOURS[key], borderRadius: [3, 3, 0, 0] },
               data: data.units.map(function (u) { return u[key]; }) };
    }
    chart("chart-units", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, top: 36, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: names, axisTick: { show: false }, axisLabel: { color: INK, interval: 0 } },
      yAxis: { type: "value", axisLabel: { color: MUTED }, splitLine: { lineStyle: { color: "#eceef1" } } },
      series: [series("households"), series("residents"), series("elderly")]
    });
  }

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  var RANK = { grid: 0, compound: 1, building: 3 };
  var BUILDING = { radius: 4, color: "#334155", weight: 1.2, fillColor: "#ffffff", fillOpacity: 1 };

  function profileMap(element, labels) {
    var data = readJson(element.getAttribute("data-profile-map"));
    if (!data || !window.L) { return; }
    var map = window.L.map(element, { attributionControl: Boolean(data.tileUrl), scrollWheelZoom: false, zoomSnap: 0.25 });
    if (data.tileUrl) {
      window.L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    }
    var fills = {};
    var features = data.features.features.slice().sort(function (a, b) {
      var ra = a.properties.role === "self" ? 2 : RANK[a.properties.kind];
      var rb = b.properties.role === "self" ? 2 : RANK[b.properties.kind];
      return ra - rb;
    });
    features.forEach(function (f) {
      if (f.properties.kind === "grid" && f.properties.role !== "self") {
        fills[f.properties.id] = GRID_FILLS[Object.keys(fills).length % GRID_FILLS.length];
      }
    });
    var layer = window.L.geoJSON({ type: "FeatureCollection", features: features }, {
      style: function (f) {
        var p = f.properties;
        if (p.role === "self") { return { color: RED, weight: 3, fill: false }; }
        if (p.kind === "grid") { return { color: "#64748b", weight: 1.5, dashArray: "6 4", fillColor: fills[p.id], fillOpacity: 0.6 }; }
        if (p.kind === "building") { return BUILDING; }
        return { color: "#15803d", weight: 1.5, fillColor: "#86efac", fillOpacity: 0.45 };
      },
      pointToLayer: function (f, latlng) {
        return window.L.circleMarker(latlng, BUILDING);
      },
      onEachFeature: function (f, featureLayer) {
        var p = f.properties;
        if (p.role === "self") { return; }
        var label = escapeHtml(p.name) + (p.kind_label ? " · " + escapeHtml(p.kind_label) : "");
        if (p.kind === "grid") {
          featureLayer.bindTooltip(escapeHtml(p.name), { permanent: true, direction: "center", className: "grid-label" });
          if (data.gridUrl) { featureLayer.on("click", function () { window.location.href = data.gridUrl.replace("{id}", p.id); }); }
        } else {
          featureLayer.bindTooltip(label, { sticky: true });
          if (data.placeUrl) { featureLayer.on("click", function () { window.location.href = data.placeUrl.replace("{id}", p.id); }); }
        }
      }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [12, 12], maxZoom: 18 });
    } else {
      map.setView(data.center || [30.26, 120.17], 14);
    }
    var legend = window.L.control({ position: "bottomleft" });
    legend.onAdd = function () {
      var div = window.L.DomUtil.create("div", "map-legend");
      var rows = [];
      if (Object.keys(fills).length) {
        rows.push('<span class="swatch" style="background:' + GRID_FILLS[0] + ';border-color:#64748b"></span>' + escapeHtml(labels.grid));
      }
      rows.push('<span class="swatch" style="background:rgba(74,222,128,.35);border-color:#15803d"></span>' + escapeHtml(labels.compound));
      rows.push('<span class="swatch dot" style="background:#fff;border-color:#334155"></span>' + escapeHtml(labels.building));
      div.innerHTML = rows.join("<br>");
      return div;
    };
    legend.addTo(map);
  }

  var data = readJson("profile-data");
  if (data) {
    pyramid(data);
    tags(data);
    units(data);
  }
  document.querySelectorAll("[data-profile-map]").forEach(function (element) {
    profileMap(element, (data && data.labels) || { grid: "", compound: "", building: "" });
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
