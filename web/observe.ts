/**
 * observeRequests: the first middleware. Times and counts every request once, for all three
 * places that want it: this node's stats (its heartbeat and the /cluster page), Prometheus
 * (metrics.ts) and a debug log line. One layer and one clock read each way, not three.
 */
import type { MiddlewareHandler } from "hono";
import type { Logger } from "@fleetmon/shared/log";
import type { WebMetrics } from "./metrics.ts";
import { countResponse, type WebStats } from "./stats.ts";

export function observeRequests(
  deps: { stats: WebStats; metrics: WebMetrics; logger: Logger },
): MiddlewareHandler {
  const { stats, metrics, logger } = deps;
  return async function observeRequests(c, next) {
    const started = performance.now();
    stats.requests++;
    stats.inFlight++;
    try {
      await next();
    } finally {
      stats.inFlight--;
      const status = c.res.status;
      const ms = performance.now() - started;
      countResponse(stats, status);
      metrics.record(c.req.method, c.req.routePath, status, ms / 1000);
      logger.debug("request", {
        method: c.req.method,
        path: c.req.path,
        status,
        ms: Math.round(ms),
      });
    }
  };
}
