// /cluster: every 5 s, fetches the page again and swaps in its #cluster part (parsed with
// DOMParser, which runs no script; nothing is built from strings).
"use strict";
(() => {
  const refresh = async () => {
    try {
      const response = await fetch(location.href, { headers: { accept: "text/html" } });
      if (!response.ok) return;
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = doc.getElementById("cluster");
      const current = document.getElementById("cluster");
      if (fresh && current) current.replaceWith(document.adoptNode(fresh));
    } catch {
      // The next tick tries again; a node going away is what this page is for.
    }
  };
  setInterval(refresh, 5_000);
})();
