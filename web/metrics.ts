/**
 * Prometheus metrics of a web node, served at GET /metrics (text format 0.0.4) to any caller with
 * the viewer role: Prometheus scrapes each node by address with a viewer API token
 * (`authorization: {credentials: fmt_…}` in its scrape config). Requests are labelled by the
 * matched route pattern (`/api/devices/:id`), never the raw path, so the label set stays bounded.
 */
import client from "prom-client";
import type { PasswordHasher } from "./login/password_hasher.ts";
import type { WebStats } from "./stats.ts";

const KNOWN_METHOD = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/;

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface WebMetrics {
  registry: client.Registry;
  /** Counts and times one answered request (observe.ts calls it for every request). */
  record(method: string, routePath: string, status: number, seconds: number): void;
}

export function createWebMetrics(
  node: string,
  sources: { stats: WebStats; hasher: PasswordHasher },
): WebMetrics {
  const registry = new client.Registry();
  registry.setDefaultLabels({ node });
  const requests = new client.Counter({
    name: "fleetmon_web_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"],
    registers: [registry],
  });
  const duration = new client.Histogram({
    name: "fleetmon_web_http_request_duration_seconds",
    help: "Time to the response's head, by method and route pattern",
    labelNames: ["method", "route"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const gauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  const { stats, hasher } = sources;
  gauge(
    "fleetmon_web_http_requests_in_flight",
    "Requests being answered now",
    () => stats.inFlight,
  );
  gauge("fleetmon_web_live_streams", "Open live (SSE) streams", () => stats.liveStreams);
  gauge(
    "fleetmon_web_password_checks_running",
    "argon2id jobs running",
    () => hasher.load().running,
  );
  gauge("fleetmon_web_password_checks_queued", "argon2id jobs waiting", () => hasher.load().queued);
  new client.Counter({
    name: "fleetmon_web_logins_total",
    help: "Sign-in attempts by result",
    labelNames: ["result"],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: "ok" }, stats.loginsSucceeded);
      this.inc({ result: "failed" }, stats.loginsFailed);
      this.inc({ result: "rate_limited" }, stats.loginsRateLimited);
      this.inc({ result: "busy" }, stats.loginsBusy);
    },
  });

  // prom-client hashes a label object on every inc/observe; each label set's child is looked up
  // here once instead (routes, methods and statuses are few, so the maps stay small).
  const counted = new Map<string, client.Counter.Internal>();
  const timed = new Map<string, client.Histogram.Internal<string>>();
  const record = (rawMethod: string, pattern: string, statusCode: number, seconds: number) => {
    const route = !pattern || pattern === "/*" || pattern === "*" ? "unmatched" : pattern;
    const method = KNOWN_METHOD.test(rawMethod) ? rawMethod : "other";
    const status = String(statusCode);
    const key = `${method} ${route}`;
    let timer = timed.get(key);
    if (!timer) timed.set(key, timer = duration.labels(method, route));
    let counter = counted.get(`${key} ${status}`);
    if (!counter) counted.set(`${key} ${status}`, counter = requests.labels(method, route, status));
    counter.inc();
    timer.observe(seconds);
  };
  return { registry, record };
}
