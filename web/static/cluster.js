// /cluster: refreshes the node table from api/nodes every 5 s.
"use strict";
(() => {
  const table = document.getElementById("nodes");
  const body = table.tBodies[0];
  const { el } = fm;

  function row(n) {
    const stats = el("span", { class: "metrics" });
    for (const [name, value] of Object.entries(n.stats)) {
      stats.append(
        el(
          "span",
          { class: "metric" },
          el("span", { class: "metric-name" }, name),
          " ",
          fm.formatNumber(value),
        ),
      );
    }
    return el(
      "tr",
      { "data-id": n.id },
      el("td", {}, n.id),
      el("td", {}, n.kind),
      el(
        "td",
        {},
        el("span", { class: n.alive ? "badge ok" : "badge off" }, n.alive ? "alive" : "stale"),
      ),
      el("td", {}, n.version),
      el("td", { class: "mono" }, n.address),
      el("td", { class: "mono" }, `${n.host} / ${n.pid}`),
      el("td", {}, fm.timeEl(n.startedAt)),
      el("td", {}, fm.timeEl(n.heartbeatAt)),
      el("td", {}, stats),
    );
  }

  async function refresh() {
    try {
      const response = await fetch(table.dataset.source, { credentials: "same-origin" });
      if (response.status === 401) return fm.checkSession("./");
      if (!response.ok) return;
      const { nodes } = await response.json();
      body.replaceChildren(...nodes.map(row));
    } catch {
      // a node restarting behind the lb: try again on the next tick
    }
  }
  setInterval(refresh, 5000);
})();
