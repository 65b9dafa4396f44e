// /devices/:id: uPlot charts of the device's recent readings (one per metric) and the raw
// table, refreshed every 5 s from the JSON API.
"use strict";
(() => {
  const box = document.getElementById("chart");
  const tableBody = document.getElementById("readings").tBodies[0];
  const url = box.dataset.readings;
  const palette = [
    "#2f6fde",
    "#e0803a",
    "#1f8a4c",
    "#b3392f",
    "#7b4bd6",
    "#1a9fb0",
    "#a07c1c",
    "#d04f9b",
  ];
  const maxSeries = 8;
  const charts = new Map(); // metric name -> { holder, plot }
  let lastTop = null;

  // One small chart per metric (at most maxSeries), each with its own y scale, so a metric in
  // the thousands does not flatten one below 1.
  function draw(readings) {
    const ordered = [...readings].reverse(); // the API gives newest first
    const names = [];
    for (const r of ordered) {
      for (const name of Object.keys(r.metrics)) {
        if (!names.includes(name) && names.length < maxSeries) names.push(name);
      }
    }
    if (ordered.length === 0) return;
    if (charts.size === 0) box.replaceChildren();
    const xs = ordered.map((r) => Date.parse(r.ts) / 1000);
    for (const [name, chart] of charts) {
      if (!names.includes(name)) {
        chart.plot.destroy();
        chart.holder.remove();
        charts.delete(name);
      }
    }
    names.forEach((name, i) => {
      const data = [xs, ordered.map((r) => r.metrics[name] ?? null)];
      const chart = charts.get(name);
      if (chart) return chart.plot.setData(data);
      const holder = fm.el("div", { class: "chart", "data-metric": name });
      box.append(holder);
      const plot = new uPlot(
        {
          width: chartWidth(),
          height: 180,
          cursor: { drag: { x: true, y: false } },
          series: [{}, {
            label: name,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: true,
          }],
          axes: [{}, { size: 70 }],
        },
        data,
        holder,
      );
      charts.set(name, { holder, plot });
    });
  }

  function chartWidth() {
    return Math.max(320, box.clientWidth);
  }

  function fillTable(readings) {
    const { el } = fm;
    tableBody.replaceChildren(
      ...readings.slice(0, 100).map((r) =>
        el(
          "tr",
          {},
          el("td", { class: "num" }, r.seq),
          el("td", {}, el("time", { datetime: r.ts }, r.ts)),
          el("td", {}, r.receivedAt),
          el("td", {}, r.node),
          el(
            "td",
            { class: "mono" },
            Object.entries(r.metrics).map(([k, v]) => `${k}=${fm.formatNumber(v)}`).join(" "),
          ),
        )
      ),
    );
  }

  async function refresh() {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.status === 401) return fm.checkSession("../");
      if (!response.ok) return;
      const { readings } = await response.json();
      const top = readings[0]?.seq ?? null;
      if (top === lastTop && charts.size > 0) return;
      lastTop = top;
      draw(readings);
      fillTable(readings);
    } catch {
      // a node restarting behind the lb: try again on the next tick
    }
  }
  addEventListener("resize", () => {
    for (const { plot } of charts.values()) plot.setSize({ width: chartWidth(), height: 180 });
  });
  refresh();
  setInterval(refresh, 5000);
})();
