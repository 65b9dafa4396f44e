/** The balancer's stats as Prometheus text (exposition format 0.0.4), written by hand: lb stays tiny. */
import type { BalancerStats } from "./backend.ts";

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const STATES = ["unknown", "up", "down", "draining", "disabled"] as const;

type Labels = Record<string, string>;

export function renderMetrics(stats: BalancerStats): string {
  const out: string[] = [];
  const lb = { lb: stats.name };
  const metric = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    samples: [Labels, number][],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) out.push(`${name}${formatLabels(labels)} ${value}`);
  };
  const c = stats.connections;
  metric("lb_info", "gauge", "Always 1; the labels say which data plane relays.", [[
    { ...lb, engine: stats.engine },
    1,
  ]]);
  metric("lb_connections_active", "gauge", "Client connections open now.", [[lb, c.active]]);
  metric("lb_connections_max", "gauge", "Most client connections held at once.", [[
    lb,
    c.maxConnections,
  ]]);
  metric("lb_connections_total", "counter", "Client connections accepted.", [[lb, c.total]]);
  metric(
    "lb_no_backend_total",
    "counter",
    "Client connections closed with no backend to take them.",
    [[
      lb,
      c.noBackend,
    ]],
  );
  metric("lb_idle_timeouts_total", "counter", "Connections closed for idleness.", [[
    lb,
    c.idleTimeouts,
  ]]);
  metric("lb_accept_errors_total", "counter", "Failed accepts (EMFILE and the like).", [[
    lb,
    c.acceptErrors,
  ]]);

  const per = (value: (b: BalancerStats["backends"][number]) => number) =>
    stats.backends.map((b): [Labels, number] => [{ ...lb, backend: b.id }, value(b)]);
  metric(
    "lb_backend_up",
    "gauge",
    "1 when the backend takes new connections.",
    per((b) => b.state === "up" || b.state === "unknown" ? 1 : 0),
  );
  metric(
    "lb_backend_state",
    "gauge",
    "1 for the backend's current state.",
    stats.backends.flatMap((b) =>
      STATES.map((state): [Labels, number] => [
        { ...lb, backend: b.id, state },
        b.state === state ? 1 : 0,
      ])
    ),
  );
  metric(
    "lb_backend_check_success",
    "gauge",
    "1 when the last health check passed.",
    per((b) => b.lastCheck?.ok ? 1 : 0),
  );
  metric(
    "lb_backend_check_timestamp_seconds",
    "gauge",
    "When the last health check finished.",
    per((b) => b.lastCheck ? Date.parse(b.lastCheck.at) / 1000 : 0),
  );
  metric(
    "lb_backend_connections_active",
    "gauge",
    "Connections open to the backend.",
    per((b) => b.active),
  );
  metric(
    "lb_backend_connections_total",
    "counter",
    "Connections made to the backend.",
    per((b) => b.total),
  );
  metric(
    "lb_backend_failed_connects_total",
    "counter",
    "Failed connects to the backend.",
    per((
      b,
    ) => b.failedConnects),
  );
  metric(
    "lb_backend_bytes_total",
    "counter",
    "Bytes relayed, by direction: to_backend or from_backend.",
    stats.backends.flatMap((b): [Labels, number][] => [
      [{ ...lb, backend: b.id, direction: "to_backend" }, b.txBytes],
      [{ ...lb, backend: b.id, direction: "from_backend" }, b.rxBytes],
    ]),
  );
  return out.join("\n") + "\n";
}

function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([key, value]) =>
    `${key}="${value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')}"`
  );
  return parts.length > 0 ? `{${parts.join(",")}}` : "";
}
