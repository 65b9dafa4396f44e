// /devices/:id: charts of the chosen time range from api/devices/:id/series (the data layer's
// ranged, downsampled API). Never two requests in flight, not even for a moment: a range picked
// while a request runs waits for it to end (its answer is then not drawn) and is asked next; an
// aborted fetch would free the page at once while the browser and the server still work on it.
// The refresh of a range that ends "now" (every 10 s) is skipped while one runs. Gaps stay gaps
// (spanGaps off: the API puts a null row where data stops). Metrics are grouped by the first part
// of their name (mem, net, disk, …), one chart per unit within a group, axes in that unit.
"use strict";
(() => {
  const { el } = fm;
  const card = document.getElementById("charts-card");
  const api = card.dataset.api;
  const holder = document.getElementById("charts");
  const status = document.getElementById("series-status");
  const ranges = document.getElementById("ranges");
  const custom = document.getElementById("custom-range");
  const palette = ["#2563eb", "#e0803a", "#12804a", "#c0362c", "#7b4bd6", "#1a9fb0", "#a07c1c"];
  let range = { spanMs: 3_600_000 }; // or { from, to } for a custom range
  let busy = false; // a series request is in flight
  let again = false; // a range was picked while it ran: ask for it when it ends
  let picks = 0; // counts picks; an answer asked before the latest pick is not drawn
  let plots = [];

  const unitOf = (name) => /_([a-z]+)$/.exec(name)?.[1] ?? "";
  const groupOf = (name) => name.split("_")[0];
  const bounds = () => {
    if (range.spanMs) {
      const to = Date.now();
      return { from: to - range.spanMs, to };
    }
    return { from: range.from, to: range.to };
  };

  function exportLinks({ from, to }) {
    for (const format of ["csv", "ndjson"]) {
      document.getElementById(`export-${format}`).href =
        `${api}/export?format=${format}&from=${from}&to=${to}`;
    }
  }

  function chartWidth(box) {
    return Math.max(260, box.clientWidth - 4);
  }

  function draw(series) {
    for (const p of plots) p.destroy();
    plots = [];
    holder.replaceChildren();
    const names = Object.keys(series.metrics);
    const pick = series.tier === "raw" ? "last" : "avg";
    const hasValue = (name) => series.metrics[name][pick].some((v) => v != null);
    if (series.t.length === 0 || !names.some(hasValue)) {
      status.textContent = "";
      holder.append(noData());
      return;
    }
    // A metric without a value in this range gets no (empty) chart: it is named in the status.
    const silent = names.filter((name) => !hasValue(name));
    const groups = new Map();
    for (const name of names.filter(hasValue)) {
      const key = groupOf(name);
      if (!groups.has(key)) groups.set(key, new Map());
      const byUnit = groups.get(key);
      const unit = unitOf(name);
      if (!byUnit.has(unit)) byUnit.set(unit, []);
      byUnit.get(unit).push(name);
    }
    const xs = series.t.map((t) => t / 1000);
    for (const [group, byUnit] of groups) {
      const box = el("section", { class: "chart-group", "data-group": group }, el("h3", {}, group));
      holder.append(box);
      for (const [, members] of byUnit) {
        const chart = el("div", { class: "chart", "data-metric": members.join(" ") });
        box.append(chart);
        const first = members[0];
        const plot = new uPlot(
          {
            width: chartWidth(box),
            height: 190,
            cursor: { drag: { x: true, y: false } },
            scales: { x: { time: true } },
            series: [
              { value: (_u, v) => (v == null ? "" : new Date(v * 1000).toLocaleString()) },
              ...members.map((name, i) => ({
                label: name,
                stroke: palette[i % palette.length],
                width: 1.5,
                spanGaps: false,
                // A few readings between gaps draw no line: dots show they are there.
                points: { show: sparse(series.metrics[name][pick]), size: 5 },
                value: (_u, v) => (v == null ? "–" : formatMetric(name, v)),
              })),
            ],
            axes: [
              { stroke: "#637087", grid: { stroke: "#eef1f5" } },
              {
                stroke: "#637087",
                grid: { stroke: "#eef1f5" },
                size: 78,
                values: (_u, splits) => splits.map((v) => formatMetric(first, v)),
              },
            ],
          },
          [xs, ...members.map((name) => series.metrics[name][pick])],
          chart,
        );
        plots.push(plot);
      }
    }
    const step = series.stepMs ? `, one point per ${describeStep(series.stepMs)}` : "";
    const gaps = series.gaps.length > 0 ? `; ${series.gaps.length} gap(s) without data` : "";
    const none = silent.length > 0 ? `; no data in this range for ${silent.join(", ")}` : "";
    status.textContent = `${
      series.tier === "raw" ? "Raw readings" : `${series.tier} rollups`
    }${step}${gaps}${none}.`;
  }

  /** In place of empty charts: what range was empty, and what to do about it. */
  function noData() {
    const { from, to } = bounds();
    const at = (ms) => new Date(ms).toLocaleString();
    return el(
      "div",
      { class: "no-data", id: "no-data", role: "status" },
      el("strong", {}, "No data in this range"),
      el("p", { class: "muted" }, `The device sent no readings from ${at(from)} to ${at(to)}.`),
      el(
        "p",
        { class: "muted" },
        "Pick a longer range, or check the device's connections below and its last values above.",
      ),
    );
  }

  /** Whether a metric has so few values that its line alone could not be seen. */
  function sparse(values) {
    let count = 0;
    for (const v of values) if (v != null) count++;
    return count <= 60;
  }

  function describeStep(ms) {
    if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
    if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
    if (ms % 60_000 === 0) return `${ms / 60_000} min`;
    return `${ms / 1000} s`;
  }

  /** A new range: shown as loading now, asked for as soon as no request is in flight. */
  function pick() {
    picks++;
    status.textContent = "Loading…";
    load();
  }

  async function load({ refresh = false } = {}) {
    if (busy) {
      if (!refresh) again = true;
      return;
    }
    busy = true;
    const asked = picks;
    const { from, to } = bounds();
    exportLinks({ from, to });
    try {
      // No abort on a new pick (see above); the timeout only frees the page from a hung server.
      const response = await fetch(`${api}/series?from=${from}&to=${to}`, {
        signal: AbortSignal.timeout(30_000),
      });
      // The body is read whole before the request counts as ended, whatever is done with it.
      const body = await response.json().catch(() => ({}));
      if (response.status === 401) return fm.checkSession("../../");
      if (asked !== picks) return; // a newer pick is asked next
      if (!response.ok) {
        status.textContent = body.error?.message ??
          `Cannot load the chart: HTTP ${response.status}`;
        return;
      }
      draw(body);
    } catch {
      if (asked === picks) status.textContent = "Cannot reach the server; retrying.";
    } finally {
      busy = false;
      if (again) {
        again = false;
        load();
      }
    }
  }

  function press(button) {
    for (const b of ranges.querySelectorAll("button")) b.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-pressed", "true");
  }
  const local = (ms) => {
    const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
    return d.toISOString().slice(0, 16);
  };
  ranges.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    press(button);
    if (button.dataset.range === "custom") {
      const { from, to } = bounds();
      custom.elements.from.value = local(from);
      custom.elements.to.value = local(to);
      custom.hidden = false;
      return;
    }
    custom.hidden = true;
    range = { spanMs: Number(button.dataset.range) };
    pick();
  });
  custom.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = Date.parse(custom.elements.from.value);
    const to = Date.parse(custom.elements.to.value);
    if (!(from < to)) {
      status.textContent = "Pick a start before the end.";
      return;
    }
    range = { from, to };
    pick();
  });
  setInterval(() => {
    if (range.spanMs && !document.hidden) load({ refresh: true });
  }, 10_000);
  addEventListener("resize", () => {
    for (const p of plots) p.setSize({ width: chartWidth(p.root.parentElement), height: 190 });
  });
  pick();

  // Editing name, group and tags (operators and admins; the form is absent otherwise).
  const form = document.getElementById("edit-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = document.getElementById("edit-error");
    error.hidden = true;
    const f = form.elements;
    const change = {
      name: f.name.value.trim(),
      group: f.group.value.trim() || null,
      tags: f.tags.value.split(",").map((t) => t.trim()).filter(Boolean),
    };
    const response = await fetch(form.dataset.api, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(change),
    });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      error.textContent = body.error?.message ?? `Cannot save: HTTP ${response.status}`;
      error.hidden = false;
      return;
    }
    location.reload();
  });
})();
