// Alerts pages: the rule form shows only the fields its choices use; /alerts refreshes itself.
"use strict";

function applyShows(form) {
  for (const el of form.querySelectorAll("[data-show]")) {
    const [field, values] = el.dataset.show.split(":");
    const input = form.elements.namedItem(field);
    el.hidden = !values.split(",").includes(input ? input.value : "");
  }
}

const ruleForm = document.getElementById("rule-form");
if (ruleForm) {
  applyShows(ruleForm);
  ruleForm.addEventListener("change", () => applyShows(ruleForm));
}

// Re-reads this page now and then and swaps in the sections that change.
const live = document.querySelector("[data-refresh]");
if (live) {
  const every = Number(live.dataset.refresh) || 5000;
  const ids = ["active", "silences", "history", "deliveries", "firing-count"];
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const response = await fetch(location.href, { headers: { accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      for (const id of ids) {
        const now = document.getElementById(id);
        const next = fresh.getElementById(id);
        if (now && next) now.replaceWith(next);
      }
    } catch {
      // Offline for a moment: the next round tries again.
    }
  }, every);
}
