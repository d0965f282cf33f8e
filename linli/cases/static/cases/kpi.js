/* The KPI page's charts (Apache ECharts): the trend of the rates by month and the ranking by close rate.
 * Data: #kpi-data {months, series: {rate: [..]}, reported: [..], labels: {..}, ranking: {names, close_rate,
 * satisfaction_rate}}; rates are 0..1 or null. */
(function () {
  "use strict";
  var element = document.getElementById("kpi-data");
  if (!element || !window.echarts) { return; }
  var data = JSON.parse(element.textContent);
  var asPct = function (list) { return list.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }); };
  var charts = [];

  function init(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = window.echarts.init(node, null, { renderer: "canvas" });
    option.animation = false;
    option.textStyle = { fontFamily: getComputedStyle(document.body).fontFamily };
    chart.setOption(option);
    charts.push(chart);
  }

  var names = ["close_rate", "ontime_close_rate", "satisfaction_rate", "response_rate"];
  init("chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0, data: names.map(function (n) { return data.labels[n]; }).concat([data.labels.reported]) },
    grid: { left: 48, right: 48, top: 48, bottom: 32 },
    xAxis: { type: "category", data: data.months },
    yAxis: [{ type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value", minInterval: 1 }],
    series: names.map(function (n) {
      return { name: data.labels[n], type: "line", connectNulls: true, data: asPct(data.series[n]) };
    }).concat([{ name: data.labels.reported, type: "bar", yAxisIndex: 1, data: data.reported, itemStyle: { opacity: 0.35 } }])
  });
  init("chart-ranking", {
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null ? "—" : v + "%"; } },
    legend: { top: 0, data: [data.labels.close_rate, data.labels.satisfaction_rate] },
    grid: { left: 110, right: 24, top: 40, bottom: 24 },
    xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: data.ranking.names },
    series: [
      { name: data.labels.close_rate, type: "bar", data: asPct(data.ranking.close_rate) },
      { name: data.labels.satisfaction_rate, type: "bar", data: asPct(data.ranking.satisfaction_rate) }
    ]
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
