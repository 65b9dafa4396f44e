/** The seed's "lb shows the state of each server": a plain HTML page that refreshes itself. */
import type { BalancerStats } from "./backend.ts";

const COLORS: Record<string, string> = {
  up: "#d4f4d4",
  down: "#f8d0d0",
  unknown: "#eeeeee",
  draining: "#fbeec0",
  disabled: "#dddddd",
};

export function renderStatusPage(stats: BalancerStats): string {
  const rows = stats.backends.map((b) => {
    const check = b.lastCheck
      ? `${b.lastCheck.ok ? "ok" : "failed"}${
        b.lastCheck.detail ? `: ${b.lastCheck.detail}` : ""
      }` +
        ` at ${b.lastCheck.at} (${b.lastCheck.durationMs} ms)`
      : "not yet";
    const cells = [
      b.id,
      b.address,
      b.check,
      b.state,
      b.since,
      check,
      b.active,
      b.total,
      b.failedConnects,
      b.txBytes,
      b.rxBytes,
      b.proxyProtocol ?? "off",
    ];
    return `<tr style="background:${COLORS[b.state] ?? "#fff"}">${
      cells.map((cell) => `<td>${escapeHtml(String(cell))}</td>`).join("")
    }</tr>`;
  });
  const c = stats.connections;
  const title = escapeHtml(`${stats.name} on ${stats.addr}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>${title}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse}
td,th{border:1px solid #bbb;padding:4px 8px;text-align:left}th{background:#f4f4f4}</style>
</head><body>
<h1>${title}</h1>
<p>Up ${stats.uptimeSeconds} s since ${escapeHtml(stats.startedAt)}. Connections: ${c.active} open
(at most ${c.maxConnections}), ${c.total} accepted, ${c.noBackend} closed with no backend,
${c.idleTimeouts} idle timeouts, ${c.acceptErrors} accept errors.</p>
<table>
<tr><th>backend</th><th>address</th><th>check</th><th>state</th><th>since</th><th>last check</th>
<th>active</th><th>total</th><th>failed connects</th><th>bytes to</th><th>bytes from</th>
<th>PROXY</th></tr>
${rows.join("\n")}
</table>
<p><a href="stats">JSON</a> · <a href="metrics">Prometheus</a></p>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
