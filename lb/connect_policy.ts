/**
 * What both engines share when a client arrives: the backend to try next (round robin over the
 * available ones not tried yet), what a failed connect counts, and what a client without a
 * backend counts. A `Target` is a backend as a data plane sees it: where to connect, whether it
 * takes connections, and the counters a relay adds to; nothing in it belongs to one engine.
 */
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { ProxyProtocolVersion } from "@fleetmon/shared/proxy_protocol";
import type { ByteCounters, OpenConnection } from "./backend.ts";
import type { Deadlines } from "./deadlines.ts";
import type { Strategy } from "./round_robin.ts";
import { isOutOfDescriptors } from "./_net.ts";

export interface Target extends ByteCounters {
  readonly id: string;
  readonly address: HostPort;
  readonly proxyProtocol: ProxyProtocolVersion | undefined;
  /** Logs with this backend's id. */
  readonly logger: Logger;
  /** May take new connections now (health and admin state allow it). */
  readonly available: boolean;
  /** Open connections through this backend, so disabling it can close them. */
  readonly connections: Set<OpenConnection>;
  /** Connections relayed through it. */
  total: number;
  failedConnects: number;
  /** A client's connect to it failed: counts against its health. */
  recordFailedConnect(): void;
}

export interface ProxyCounters {
  /** Client connections accepted. */
  total: number;
  /** Client connections closed because no backend could take them. */
  noBackend: number;
}

export interface ProxyContext {
  /** The backends, in round-robin order (replaced by a reload). */
  targets: { readonly list: readonly Target[] };
  strategy: Strategy<Target>;
  connectTimeoutMs: number;
  /** Keeps the connect timeouts. */
  deadlines: Deadlines;
  /** How many more backends to try after a failed connect. */
  retries: number;
  counters: ProxyCounters;
  logger: Logger;
  /**
   * The process ran out of file descriptors opening a backend's socket: accepting more clients
   * now would only close them again, so the data plane holds off for a moment.
   */
  outOfDescriptors: () => void;
  /** Set once shutdown has given up waiting: a connect that lands afterwards is dropped. */
  closed: boolean;
}

/** The next backend round robin that is available and not tried yet for this client. */
export function pickBackend(context: ProxyContext, tried: Set<Target>): Target | undefined {
  return context.strategy.pick(
    context.targets.list,
    (target) => target.available && !tried.has(target),
  );
}

/**
 * Counts a failed connect against the backend (its health, its counter) and logs it. Running out
 * of file descriptors is this process's problem, so it is logged and not counted. Running out of
 * local ports to the backend's address (EADDRNOTAVAIL: every ephemeral port to it in use or in
 * TIME_WAIT) is this host's: counted and logged as an error, but it says nothing of the backend's
 * health (another backend has ports of its own), so it does not take the backend down.
 */
export function recordConnectFailure(context: ProxyContext, target: Target, error: unknown) {
  const logger = target.logger;
  if (isOutOfDescriptors(error)) {
    logger.error("cannot connect to backend: this process is out of file descriptors", { error });
    context.outOfDescriptors();
    return;
  }
  target.failedConnects++;
  if (isOutOfLocalPorts(error)) {
    logger.error("cannot connect to backend: no free local port to its address", { error });
    return;
  }
  target.recordFailedConnect();
  logger.warn("cannot connect to backend", { error });
}

function isOutOfLocalPorts(error: unknown): boolean {
  return error instanceof Deno.errors.AddrNotAvailable ||
    (error as { code?: unknown })?.code === "EADDRNOTAVAIL";
}

export function recordNoBackend(context: ProxyContext, client: HostPort, tried: Set<Target>) {
  context.counters.noBackend++;
  context.logger.debug("no backend for a connection; closing it", {
    client: formatHostPort(client),
    tried: [...tried].map((target) => target.id),
  });
}
