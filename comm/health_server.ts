/**
 * The node's small HTTP port: `GET /healthz` says whether this node can store readings right now
 * (an LB's HTTP check takes a node out when its database path is broken, or when lb(comm) and
 * the node disagree about PROXY headers), `GET /metrics` serves Prometheus text.
 */
import type { HostPort } from "@fleetmon/shared/net";
import { createMetricsRegistry } from "./metrics.ts";
import type { CommServer } from "./server.ts";
import type { CommStore } from "./store.ts";

export interface HealthServer {
  addr: HostPort;
  close(): Promise<void>;
}

export function createHealthServer(
  options: { listen: HostPort; node: string; server: CommServer; store: CommStore },
): HealthServer {
  const registry = createMetricsRegistry(options.server, options.node);
  const httpServer = Deno.serve({
    ...options.listen,
    onListen: () => {},
    handler: async (request) => {
      const { pathname } = new URL(request.url);
      if (request.method !== "GET") return new Response("Method not allowed\n", { status: 405 });
      if (pathname === "/healthz") {
        const dbUp = !options.server.batcher.failing && await options.store.ping(1_000);
        const misconfiguration = options.server.misconfiguration();
        const ok = dbUp && !misconfiguration;
        const body = {
          ok,
          node: options.node,
          db: dbUp ? "up" : "down",
          ...(misconfiguration ? { error: misconfiguration } : {}),
          connections: options.server.stats.connectionsActive,
          pending: options.server.batcher.pending,
        };
        return Response.json(body, { status: ok ? 200 : 503 });
      }
      if (pathname === "/metrics") {
        return new Response(await registry.metrics(), {
          headers: { "content-type": registry.contentType },
        });
      }
      return new Response("Not found\n", { status: 404 });
    },
  });
  const addr = { hostname: options.listen.hostname, port: httpServer.addr.port };
  return { addr, close: () => httpServer.shutdown() };
}
