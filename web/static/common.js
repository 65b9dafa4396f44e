// Shared by the pages' scripts: formatting and small DOM helpers.
// No innerHTML anywhere: everything from the server is set as text.
//
// relativeTime and formatNumber are not written here: web/static.ts serves this file after
// "use strict" and the source of those two functions in views/format.ts, so the live updates word
// times and numbers exactly as the server's pages do.
// deno-lint-ignore no-unused-vars -- used by the other page scripts (classic scripts share globals)
const fm = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs ?? {})) {
      if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  function timeEl(iso) {
    if (!iso) return el("span", { class: "muted" }, "never");
    return el("time", { datetime: iso, title: iso }, relativeTime(iso, Date.now()));
  }
  function metricsEl(metrics, max = 6) {
    const entries = Object.entries(metrics ?? {});
    if (entries.length === 0) return el("span", { class: "muted" }, "no readings yet");
    const box = el("span", { class: "metrics" });
    for (const [name, value] of entries.slice(0, max)) {
      box.append(
        el(
          "span",
          { class: "metric" },
          el("span", { class: "metric-name" }, name),
          " ",
          formatMetric(name, value),
        ),
      );
    }
    if (entries.length > max) {
      box.append(el("span", { class: "muted" }, `+${entries.length - max} more`));
    }
    return box;
  }
  // Keeps every <time datetime> relative text current.
  function tickTimes() {
    const now = Date.now();
    for (const node of document.querySelectorAll("time[datetime]")) {
      if (node.closest("#readings")) continue; // absolute timestamps there
      node.textContent = relativeTime(node.getAttribute("datetime"), now);
    }
  }
  setInterval(tickTimes, 1000);
  // After a failed live request: if the session is gone, go to the sign-in page.
  async function checkSession(root) {
    try {
      const response = await fetch(`${root}api/me`, { credentials: "same-origin" });
      if (response.status === 401) location.href = `${root}login`;
    } catch {
      // the node may be restarting: the next attempt will tell
    }
  }
  return { relativeTime, formatNumber, el, timeEl, metricsEl, checkSession };
})();
