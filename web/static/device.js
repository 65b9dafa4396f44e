// /devices/:id: a uPlot chart of the device's recent readings (one series per metric) and the
// raw table, refreshed every 5 s from the JSON API.
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
  let plot = null;
  let shape = "";
  let lastTop = null;

  function toData(readings) {
    const ordered = [...readings].reverse(); // the API gives newest first
    const names = [];
    for (const r of ordered) {
      for (const name of Object.keys(r.metrics)) {
        if (!names.includes(name) && names.length < maxSeries) names.push(name);
      }
    }
    const xs = ordered.map((r) => Date.parse(r.ts) / 1000);
    const series = names.map((name) => ordered.map((r) => r.metrics[name] ?? null));
    return { names, data: [xs, ...series] };
  }

  function draw(readings) {
    const { names, data } = toData(readings);
    if (data[0].length === 0) return;
    const key = names.join("|");
    if (plot && key === shape) {
      plot.setData(data);
      return;
    }
    plot?.destroy();
    box.replaceChildren();
    shape = key;
    plot = new uPlot(
      {
        width: Math.max(320, box.clientWidth),
        height: 320,
        cursor: { drag: { x: true, y: false } },
        series: [
          {},
          ...names.map((name, i) => ({
            label: name,
            stroke: palette[i % palette.length],
            width: 1.5,
            spanGaps: true,
          })),
        ],
        axes: [{}, { size: 70 }],
      },
      data,
      box,
    );
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
      if (top === lastTop && plot) return;
      lastTop = top;
      draw(readings);
      fillTable(readings);
    } catch {
      // a node restarting behind the lb: try again on the next tick
    }
  }
  addEventListener(
    "resize",
    () => plot?.setSize({ width: Math.max(320, box.clientWidth), height: 320 }),
  );
  refresh();
  setInterval(refresh, 5000);
})();
