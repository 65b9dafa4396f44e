/**
 * Serves one client connection (the deno engine): picks a backend round robin, connects to it
 * (trying the next available backend when a connect fails, a bounded number of times), writes a
 * PROXY protocol header if the backend wants one, then relays until both sides are done. With no
 * backend to take it, the client's connection is closed cleanly and counted.
 *
 * The choice of backend, and what a failed connect or a client without a backend counts, are
 * shared with the epoll engine (`pickBackend`, `recordConnectFailure`, `recordNoBackend`).
 */
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import type { Backend } from "./backend.ts";
import type { BackendSet } from "./backend_set.ts";
import type { BufferPool } from "./buffer_pool.ts";
import { Relay } from "./relay.ts";
import type { Strategy } from "./round_robin.ts";
import type { Deadlines } from "./deadlines.ts";
import {
  closeQuietly,
  isExpectedNetworkError,
  isOutOfDescriptors,
  timedOut,
  writeAll,
} from "./_net.ts";

export interface ProxyCounters {
  /** Client connections accepted. */
  total: number;
  /** Client connections closed because no backend could take them. */
  noBackend: number;
}

export interface ProxyContext {
  /** The backends, in round-robin order (replaced by a reload). */
  backends: BackendSet;
  strategy: Strategy<Backend>;
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
export function pickBackend(context: ProxyContext, tried: Set<Backend>): Backend | undefined {
  return context.strategy.pick(
    context.backends.list,
    (backend) => backend.health.available && !tried.has(backend),
  );
}

/**
 * Counts a failed connect against the backend (its health, its counter) and logs it; running out
 * of file descriptors is this process's problem, so it is logged and not counted.
 */
export function recordConnectFailure(context: ProxyContext, backend: Backend, error: unknown) {
  const logger = backend.logger;
  if (isOutOfDescriptors(error)) {
    logger.error("cannot connect to backend: this process is out of file descriptors", { error });
    context.outOfDescriptors();
    return;
  }
  backend.failedConnects++;
  backend.health.recordFailedConnect();
  logger.warn("cannot connect to backend", { error });
}

export function recordNoBackend(context: ProxyContext, client: HostPort, tried: Set<Backend>) {
  context.counters.noBackend++;
  context.logger.debug("no backend for a connection; closing it", {
    client: formatHostPort(client),
    tried: [...tried].map((backend) => backend.id),
  });
}

export async function proxyConnection(
  client: Deno.TcpConn,
  context: ProxyContext,
  buffers: BufferPool,
): Promise<void> {
  context.counters.total++;
  try {
    client.setNoDelay(true);
  } catch (error) {
    // The client may be gone already; anything else is worth knowing about.
    if (!isExpectedNetworkError(error)) throw error;
  }
  const tried = new Set<Backend>();
  for (let attempt = 0; attempt <= context.retries; attempt++) {
    const backend = pickBackend(context, tried);
    if (!backend) break;
    tried.add(backend);
    const upstream = await connect(backend, context);
    if (!upstream) continue;
    if (context.closed) {
      closeQuietly(upstream);
      break;
    }
    return relayThrough(backend, client, upstream, buffers);
  }
  recordNoBackend(context, client.remoteAddr, tried);
  await closeCleanly(client);
}

async function connect(backend: Backend, context: ProxyContext) {
  const { deadlines, connectTimeoutMs } = context;
  const controller = new AbortController();
  const deadline = deadlines.start(
    connectTimeoutMs,
    () => controller.abort(timedOut(backend.address, connectTimeoutMs)),
  );
  try {
    return await Deno.connect({ ...backend.connectOptions, signal: controller.signal });
  } catch (error) {
    recordConnectFailure(context, backend, error);
    return undefined;
  } finally {
    deadlines.release(deadline);
  }
}

async function relayThrough(
  backend: Backend,
  client: Deno.TcpConn,
  upstream: Deno.TcpConn,
  buffers: BufferPool,
): Promise<void> {
  backend.total++;
  const logger = backend.logger;
  try {
    upstream.setNoDelay(true);
    if (backend.proxyProtocol) {
      await writeAll(
        upstream,
        encodeProxyHeader(backend.proxyProtocol, client.remoteAddr, client.localAddr),
      );
    }
  } catch (error) {
    if (!isExpectedNetworkError(error)) logger.warn("cannot start relay", { error });
    closeQuietly(upstream);
    closeQuietly(client);
    return;
  }
  const relay = new Relay({
    client,
    upstream,
    counters: backend,
    buffers,
    logger,
  });
  backend.connections.add(relay);
  try {
    await relay.done;
  } finally {
    backend.connections.delete(relay);
  }
}

/** Sends FIN rather than RST where it can: shut down writing, then close. */
async function closeCleanly(conn: Deno.TcpConn): Promise<void> {
  try {
    await conn.closeWrite();
  } catch (error) {
    if (!isExpectedNetworkError(error)) throw error;
  }
  closeQuietly(conn);
}
