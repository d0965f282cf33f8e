/* The big screen: the 1920×1080 canvas scaled to the window, ECharts panels, the one map in the middle, and
 * every 30 s the figures re-read from data.json (the map's live layers refresh themselves). */
(function () {
  "use strict";
  var root = document.querySelector(".big-screen");
  if (!root || !window.echarts) { return; }
  function read(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }
  var data = read("screen-data"), labels = read("screen-labels") || {}, mapData = read("screen-map-data");
  var AXIS = { axisLine: { lineStyle: { color: "#64748b" } }, axisLabel: { color: "#cbd5e1", fontSize: 14 }, splitLine: { lineStyle: { color: "#1e293b" } } };
  var COLOURS = ["#38bdf8", "#a78bfa", "#34d399", "#fbbf24", "#f87171", "#fb923c", "#22d3ee", "#e879f9"];

  function fit() {
    var scale = Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
    root.style.transform = "scale(" + scale + ")";
  }
  fit();
  window.addEventListener("resize", function () { fit(); Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });

  var charts = {};
  ["c-status", "c-category", "c-rates", "c-trend"].forEach(function (id) { charts[id] = window.echarts.init(document.getElementById(id), null, { renderer: "canvas" }); });

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) { return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]; }); }
  function text(id, value) { var el = document.getElementById(id); if (el) { el.textContent = value == null ? "—" : value; } }

  function draw(d) {
    text("bs-at", d.at);
    text("k-open", d.cases.open); text("k-overdue", d.cases.overdue); text("k-month", d.cases.month_reported);
    text("k-alarms", d.alarms.raised + d.alarms.acknowledged); text("k-volunteers", d.volunteers.volunteers);
    text("k-points", d.points.points);
    charts["c-status"].setOption({
      grid: { left: 110, right: 24, top: 8, bottom: 24 }, tooltip: {},
      xAxis: Object.assign({ type: "value" }, AXIS), yAxis: Object.assign({ type: "category", inverse: true, data: d.cases.by_status.map(function (r) { return r.label; }) }, AXIS),
      series: [{ type: "bar", data: d.cases.by_status.map(function (r) { return r.n; }), itemStyle: { color: "#38bdf8" }, label: { show: true, position: "right", color: "#e2e8f0" } }]
    });
    charts["c-category"].setOption({
      tooltip: { trigger: "item" }, color: COLOURS,
      series: [{ type: "pie", radius: ["35%", "70%"], center: ["50%", "52%"], label: { color: "#e2e8f0", fontSize: 14 },
        data: d.categories.map(function (r) { return { name: r.name, value: r.n }; }) }]
    });
    var names = ["response_rate", "solved_rate", "satisfaction_rate"];
    charts["c-rates"].setOption({
      series: names.map(function (name, i) {
        return { type: "gauge", center: [(16.7 + i * 33.3) + "%", "58%"], radius: "70%", min: 0, max: 100,
          progress: { show: true, width: 10, itemStyle: { color: COLOURS[i] } }, axisLine: { lineStyle: { width: 10, color: [[1, "#1e293b"]] } },
          axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
          title: { offsetCenter: [0, "75%"], color: "#bfdbfe", fontSize: 15 },
          detail: { valueAnimation: true, offsetCenter: [0, "5%"], fontSize: 26, color: "#fff", formatter: function (v) { return d.rates[name] == null ? "—" : v + "%"; } },
          data: [{ value: d.rates[name] == null ? 0 : d.rates[name], name: labels[name] }] };
      })
    });
    charts["c-trend"].setOption({
      tooltip: { trigger: "axis" }, color: COLOURS, legend: { textStyle: { color: "#cbd5e1" }, top: 0 },
      grid: { left: 44, right: 44, top: 32, bottom: 24 },
      xAxis: Object.assign({ type: "category", data: d.trend.months.map(function (m) { return m.slice(2); }) }, AXIS),
      yAxis: [Object.assign({ type: "value", max: 100, name: "%" }, AXIS), Object.assign({ type: "value", name: labels.reported }, AXIS)],
      series: names.map(function (name) { return { name: labels[name], type: "line", smooth: true, data: d.trend[name], connectNulls: true }; })
        .concat([{ name: labels.reported, type: "bar", yAxisIndex: 1, data: d.trend.reported, itemStyle: { color: "rgba(56,189,248,.35)" } }])
    });
    var list = document.getElementById("alarm-list");
    list.innerHTML = d.alarms.recent.length ? d.alarms.recent.map(function (a) {
      return '<li class="' + (a.emergency ? "emergency" : "") + '" data-testid="screen-alarm"><span class="when">' + esc(a.raised_at) + "</span><span>" +
        esc(a.name) + " · " + esc(a.device) + (a.value == null ? "" : " · " + esc(a.value) + " " + esc(a.unit)) + " · " + esc(a.status_label) + "</span></li>";
    }).join("") : '<li class="text-secondary">—</li>';
    document.getElementById("facts").innerHTML = (window.LINLI_SCREEN_FACTS || []).map(function (f) {
      var v = f.get(d);
      return "<dt>" + esc(f.label) + "</dt><dd>" + esc(v == null ? "—" : v) + "</dd>";
    }).join("");
  }

  window.LINLI_SCREEN_FACTS = JSON.parse(document.getElementById("screen-labels").textContent).facts || [];
  window.LINLI_SCREEN_FACTS = window.LINLI_SCREEN_FACTS.map(function (f) {
    return { label: f.label, get: function (d) { return f.path.split(".").reduce(function (o, k) { return o == null ? null : o[k]; }, d); } };
  });
  draw(data);
  if (mapData && window.LinliOneMap) { window.LinliOneMap.mount(document.getElementById("bs-map"), mapData, { compact: true }); }
  var sw = document.getElementById("bs-switch");
  if (sw) { sw.addEventListener("change", function () { window.location.href = sw.value; }); sw.selectedIndex = -1; }
  window.setInterval(function () {
    fetch(root.getAttribute("data-url"), { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { data = d; draw(d); } }).catch(function () {});
  }, 30000);
})();
