// /devices: live table over Server-Sent Events (api/stream/devices). The browser's EventSource
// reconnects by itself, through lb(web), to whichever web node is up.
"use strict";
(() => {
  const table = document.getElementById("devices");
  const live = document.getElementById("live");
  const body = table.tBodies[0];
  const seen = new Map();
  for (const row of body.rows) seen.set(row.dataset.id, null);

  function row(d) {
    const { el } = fm;
    return el(
      "tr",
      { "data-id": d.id },
      el("td", {}, el("a", { href: `devices/${encodeURIComponent(d.id)}` }, d.id)),
      el("td", {}, d.name),
      el(
        "td",
        {},
        el(
          "span",
          { class: d.enabled ? "badge ok" : "badge off" },
          d.enabled ? "enabled" : "disabled",
        ),
      ),
      el("td", {}, fm.timeEl(d.lastSeen)),
      el("td", { class: "num" }, d.lastSeq ?? ""),
      el("td", {}, fm.metricsEl(d.lastMetrics)),
      el("td", {}, d.lastNode ?? ""),
    );
  }

  function render(devices) {
    const rows = devices.map((d) => {
      const r = row(d);
      const key = `${d.lastSeq}|${d.lastSeen}|${d.enabled}|${d.name}`;
      if (seen.has(d.id) && seen.get(d.id) !== null && seen.get(d.id) !== key) {
        r.classList.add("updated");
      }
      seen.set(d.id, key);
      return r;
    });
    body.replaceChildren(...rows);
    document.getElementById("empty")?.remove();
  }

  const source = new EventSource(table.dataset.stream);
  source.addEventListener("open", () => (live.dataset.state = "open"));
  source.addEventListener("devices", (event) => {
    live.dataset.state = "open";
    render(JSON.parse(event.data));
  });
  source.addEventListener("error", () => {
    live.dataset.state = source.readyState === EventSource.CLOSED ? "closed" : "connecting";
    if (source.readyState === EventSource.CLOSED) fm.checkSession("./");
  });
})();
