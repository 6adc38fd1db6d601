// The dashboard's charts, drawn with the vendored ECharts from the roll-up the page was built from:
// the view embeds the charts' numbers (#rollup-data, the API's shape), so no second roll-up is asked for.
(function () {
  var monthly = document.getElementById("chart-monthly");
  var embedded = document.getElementById("rollup-data");
  if (!monthly || !embedded || typeof echarts === "undefined") return;
  var childrenChart = document.getElementById("chart-children");
  var data = JSON.parse(embedded.textContent);
  var months = data.monthly.map(function (m) { return m.month + "月"; });
  echarts.init(monthly).setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    legend: { data: ["完成进度", "时间进度"] },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: months },
    yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    series: [
      { name: "完成进度", type: "bar", data: data.monthly.map(function (m) { return m.completion; }), itemStyle: { color: "#b5172b" } },
      { name: "时间进度", type: "line", data: data.monthly.map(function (m) { return m.expected; }), lineStyle: { type: "dashed" }, itemStyle: { color: "#6c757d" } }
    ]
  });
  var ranked = data.children.filter(function (c) { return c.score !== null; });
  if (!childrenChart) return;
  if (ranked.length === 0) { childrenChart.textContent = "暂无下级分解目标"; childrenChart.classList.add("text-muted", "small"); return; }
  // Full names: a label wraps within its width rather than being cut off, and the chart grows
  // with the number of children so that wrapped labels do not overlap.
  var narrow = childrenChart.clientWidth < 480;
  childrenChart.style.height = Math.max(288, ranked.length * (narrow ? 40 : 30) + 48) + "px";
  echarts.init(childrenChart).setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v + "%"; } },
    grid: { left: 8, right: 56, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: {
      type: "category",
      inverse: true,
      axisLabel: { width: narrow ? 96 : 168, overflow: "break", fontSize: 12, lineHeight: 14 },
      data: ranked.map(function (c) { return c.name.replace("妇女联合会", "妇联"); })
    },
    series: [{ type: "bar", data: ranked.map(function (c) { return c.score; }), itemStyle: { color: "#0d6efd" }, label: { show: true, position: "right", formatter: "{c}%" } }]
  });
})();
