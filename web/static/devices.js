// /devices: search as you type, filters, sort and paging without reloading, and live rows over
// Server-Sent Events (api/stream/devices?<the same query>): the stream sends the page once, then
// only rows that changed. One list request in flight at a time; a newer one aborts the older.
"use strict";
(() => {
  const { el } = fm;
  const form = document.getElementById("filters");
  const table = document.getElementById("devices");
  const body = table.tBodies[0];
  const live = document.getElementById("live");
  const LABEL = { online: "online", offline: "offline", never: "never seen", disabled: "disabled" };
  let params = new URLSearchParams(location.search);
  let source;
  let inFlight;

  function row(d) {
    return el(
      "tr",
      { "data-id": d.id },
      el(
        "td",
        { class: "device-cell" },
        el("a", { href: `devices/${encodeURIComponent(d.id)}` }, d.id),
        el("span", { class: "sub" }, d.name),
      ),
      el(
        "td",
        {},
        el("span", { class: `badge ${d.status}` }, LABEL[d.status]),
        d.alerting && el("span", { class: "badge alerting" }, "alerting"),
      ),
      el("td", { class: "hide-narrow" }, d.group ?? el("span", { class: "muted" }, "—")),
      el("td", { class: "hide-narrow" }, ...d.tags.map((t) => el("span", { class: "chip" }, t))),
      el("td", {}, fm.timeEl(d.lastSeen)),
      el("td", { class: "hide-narrow" }, fm.metricsEl(d.lastMetrics, 3)),
      el("td", { class: "hide-narrow mono" }, d.lastNode ?? ""),
    );
  }

  function renderPage(page) {
    body.replaceChildren(...page.devices.map(row));
    document.getElementById("empty").hidden = page.devices.length > 0;
    const last = Math.min(page.offset + page.limit, page.total);
    const n = (x) => x.toLocaleString("en-US");
    document.getElementById("range").textContent = page.total === 0
      ? "no devices"
      : `${n(page.offset + 1)}–${n(last)} of ${n(page.total)}`;
    const prev = document.getElementById("prev");
    const next = document.getElementById("next");
    prev.classList.toggle("disabled", page.offset === 0);
    next.classList.toggle("disabled", last >= page.total);
    prev.href = href({ offset: Math.max(0, page.offset - page.limit) });
    next.href = href({ offset: page.offset + page.limit });
  }

  function renderRows(devices) {
    for (const d of devices) {
      const old = body.querySelector(`tr[data-id="${CSS.escape(d.id)}"]`);
      if (!old) continue;
      const fresh = row(d);
      fresh.classList.add("updated");
      old.replaceWith(fresh);
    }
  }

  function clean(p) {
    const out = new URLSearchParams();
    for (const [key, value] of p) {
      if (
        value === "" || (key === "sort" && value === "id") || (key === "dir" && value === "asc")
      ) {
        continue;
      }
      if (key === "offset" && value === "0") continue;
      out.set(key, value);
    }
    return out;
  }
  function href(change) {
    const p = new URLSearchParams(params);
    for (const [key, value] of Object.entries(change)) p.set(key, String(value));
    const text = clean(p).toString();
    return text ? `devices?${text}` : "devices";
  }

  function listen() {
    source?.close();
    const query = clean(params).toString();
    source = new EventSource(`${table.dataset.stream}${query ? `?${query}` : ""}`);
    source.addEventListener("open", () => (live.dataset.state = "open"));
    source.addEventListener("page", (event) => {
      live.dataset.state = "open";
      renderPage(JSON.parse(event.data));
    });
    source.addEventListener("rows", (event) => renderRows(JSON.parse(event.data).devices));
    source.addEventListener("error", () => {
      live.dataset.state = source.readyState === EventSource.CLOSED ? "closed" : "connecting";
      if (source.readyState === EventSource.CLOSED) fm.checkSession("./");
    });
  }

  async function go(next) {
    params = clean(next);
    const query = params.toString();
    history.replaceState(null, "", query ? `devices?${query}` : "devices");
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    table.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`api/devices${query ? `?${query}` : ""}`, {
        signal: controller.signal,
      });
      if (response.status === 401) return void (location.href = "login");
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      renderPage(await response.json());
      listen();
    } catch (error) {
      if (error.name !== "AbortError") live.dataset.state = "closed";
    } finally {
      if (inFlight === controller) {
        inFlight = undefined;
        table.removeAttribute("aria-busy");
      }
    }
  }

  let typing;
  const fromForm = () => {
    const p = new URLSearchParams(new FormData(form));
    p.delete("offset");
    return p;
  };
  form.addEventListener("input", (event) => {
    if (event.target.name !== "q") return;
    clearTimeout(typing);
    typing = setTimeout(() => go(fromForm()), 250);
  });
  form.addEventListener("change", (event) => {
    if (event.target.name !== "q") go(fromForm());
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(fromForm());
  });
  document.getElementById("apply").hidden = true;
  for (const id of ["prev", "next"]) {
    document.getElementById(id).addEventListener("click", (event) => {
      event.preventDefault();
      if (event.currentTarget.classList.contains("disabled")) return;
      go(new URL(event.currentTarget.href).searchParams);
    });
  }
  for (const link of table.querySelectorAll("th a[data-sort]")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      const sort = link.dataset.sort;
      const dir = params.get("sort") === sort || (!params.get("sort") && sort === "id")
        ? (params.get("dir") === "desc" ? "asc" : "desc")
        : "asc";
      const p = new URLSearchParams(params);
      p.set("sort", sort);
      p.set("dir", dir);
      p.delete("offset");
      form.elements.sort.value = sort;
      form.elements.dir.value = dir;
      for (const other of table.querySelectorAll("th a[data-sort]")) other.className = "";
      link.className = `sorted ${dir}`;
      go(p);
    });
  }
  listen();

  // Registering a device (operators and admins only; the panel is absent otherwise).
  const panel = document.getElementById("register");
  if (!panel) return;
  const regForm = document.getElementById("register-form");
  const regError = document.getElementById("register-error");
  document.getElementById("register-open").addEventListener("click", (event) => {
    event.preventDefault();
    panel.hidden = false;
    regForm.hidden = false;
    document.getElementById("register-result").hidden = true;
    regForm.elements.id.focus();
  });
  document.getElementById("register-cancel").addEventListener("click", () => (panel.hidden = true));
  regForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    regError.hidden = true;
    const f = regForm.elements;
    const input = { id: f.id.value.trim() };
    if (f.name.value.trim()) input.name = f.name.value.trim();
    if (f.group.value.trim()) input.group = f.group.value.trim();
    const tags = f.tags.value.split(",").map((t) => t.trim()).filter(Boolean);
    if (tags.length > 0) input.tags = tags;
    const response = await fetch("api/devices", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(input),
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      regError.textContent = answer.error?.message ?? `Cannot register: HTTP ${response.status}`;
      regError.hidden = false;
      return;
    }
    regForm.reset();
    regForm.hidden = true;
    document.getElementById("register-token").textContent = answer.token;
    document.getElementById("register-result").hidden = false;
    go(params);
  });
})();
