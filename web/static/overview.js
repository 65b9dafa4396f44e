// /overview: the figures stay live over Server-Sent Events (api/stream/overview).
"use strict";
(() => {
  const root = document.getElementById("overview");
  const live = document.getElementById("live");
  const { el } = fm;
  const count = (n) => n.toLocaleString("en-US");
  const set = (field, text) => {
    for (const node of document.querySelectorAll(`[data-field="${field}"]`)) {
      if (node.textContent !== text) {
        node.textContent = text;
        node.closest(".stat")?.classList.add("updated");
        setTimeout(() => node.closest(".stat")?.classList.remove("updated"), 1200);
      }
    }
  };
  const tone = (field, bad) => {
    const stat = document.querySelector(`[data-field="${field}"]`)?.closest(".stat");
    stat?.classList.toggle("bad", bad);
  };

  function groupRow(g) {
    const share = g.total === 0 ? 0 : Math.round((g.online / g.total) * 100);
    const href = g.name === null ? "devices" : `devices?group=${encodeURIComponent(g.name)}`;
    return el(
      "tr",
      { "data-id": g.name ?? "" },
      el("td", {}, el("a", { href }, g.name ?? "(no group)")),
      el("td", { class: "num" }, count(g.total)),
      el("td", { class: "num" }, count(g.online)),
      el("td", { class: "num hide-narrow" }, count(g.offline)),
      el(
        "td",
        { class: "bar-col" },
        el(
          "span",
          { class: "bar", title: `${share} % online` },
          el("span", { class: `bar-fill w${Math.round(share / 5) * 5}` }),
        ),
      ),
    );
  }

  function render(o) {
    const d = o.devices;
    set("online", count(d.online));
    set("offline", count(d.offline));
    set("never", count(d.never));
    set("alertsFiring", count(o.alertsFiring));
    set("readingsPerSecond", `${formatNumber(Number(o.readingsPerSecond.toFixed(1)))}/s`);
    set("readingsToday", count(o.readingsToday));
    set("total", count(d.total));
    set("disabled", count(d.disabled));
    set("commNodes", `${o.commNodes.alive}/${o.commNodes.total}`);
    tone("offline", d.offline > 0);
    tone("alertsFiring", o.alertsFiring > 0);
    document.querySelector("#groups tbody").replaceChildren(...d.groups.map(groupRow));
    const nacks = Object.entries(o.nacksToday).sort((a, b) => b[1] - a[1]);
    document.querySelector("#nacks tbody").replaceChildren(
      ...nacks.map(([code, n]) =>
        el(
          "tr",
          { "data-id": code },
          el("td", { class: "mono" }, code),
          el("td", { class: "num" }, count(n)),
        )
      ),
    );
    document.getElementById("nacks-empty").hidden = nacks.length > 0;
  }

  const source = new EventSource(root.dataset.stream);
  source.addEventListener("open", () => (live.dataset.state = "open"));
  source.addEventListener("overview", (event) => {
    live.dataset.state = "open";
    render(JSON.parse(event.data));
  });
  source.addEventListener("error", () => {
    live.dataset.state = source.readyState === EventSource.CLOSED ? "closed" : "connecting";
    if (source.readyState === EventSource.CLOSED) fm.checkSession("./");
  });
})();
