// A device's readings of the last 24 hours (raw, thinned; or hourly means) as a line chart.
(function () {
  var el = document.getElementById("series-chart");
  var data = document.getElementById("series-data");
  if (!el || !data || !window.echarts) return;
  var series = JSON.parse(data.textContent || "[]");
  if (!series.length) { el.style.display = "none"; return; }
  var chart = echarts.init(el);
  chart.setOption({
    grid: { left: 48, right: 16, top: 16, bottom: 32 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "time" },
    yAxis: { type: "value", scale: true },
    series: [{ type: "line", showSymbol: false, data: series }],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
