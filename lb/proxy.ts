/**
 * Serves one client connection: picks a backend round robin, connects to it (trying the next
 * available backend when a connect fails, a bounded number of times), writes a PROXY protocol
 * header if the backend wants one, then relays until both sides are done. With no backend to
 * take it, the client's connection is closed cleanly and counted.
 */
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import type { Backend } from "./backend.ts";
import { type BufferPool, Relay } from "./relay.ts";
import type { Strategy } from "./round_robin.ts";
import { closeQuietly, connectWithTimeout, isExpectedNetworkError, writeAll } from "./_net.ts";

export interface ProxyCounters {
  /** Client connections accepted. */
  total: number;
  /** Client connections closed because no backend could take them. */
  noBackend: number;
}

export interface ProxyContext {
  backends: readonly Backend[];
  strategy: Strategy<Backend>;
  connectTimeoutMs: number;
  /** How many more backends to try after a failed connect. */
  retries: number;
  buffers: BufferPool;
  counters: ProxyCounters;
  /** Every open relay, for the idle sweep and for shutdown. */
  relays: Set<Relay>;
  /** One logger per backend id, made once. */
  loggers: Map<string, Logger>;
  logger: Logger;
  /** Set once shutdown has given up waiting: a connect that lands afterwards is dropped. */
  closed: boolean;
}

export async function proxyConnection(client: Deno.TcpConn, context: ProxyContext): Promise<void> {
  context.counters.total++;
  try {
    client.setNoDelay(true);
  } catch (error) {
    // The client may be gone already; anything else is worth knowing about.
    if (!isExpectedNetworkError(error)) throw error;
  }
  const tried = new Set<Backend>();
  const eligible = (backend: Backend) => backend.health.available && !tried.has(backend);
  for (let attempt = 0; attempt <= context.retries; attempt++) {
    const backend = context.strategy.pick(context.backends, eligible);
    if (!backend) break;
    tried.add(backend);
    const upstream = await connect(backend, context);
    if (!upstream) continue;
    if (context.closed) {
      closeQuietly(upstream);
      break;
    }
    return relay(client, upstream, backend, context);
  }
  context.counters.noBackend++;
  context.logger.debug("no backend for a connection; closing it", {
    client: formatHostPort(client.remoteAddr),
    tried: [...tried].map((backend) => backend.id),
  });
  closeCleanly(client);
}

async function connect(backend: Backend, context: ProxyContext) {
  try {
    return await connectWithTimeout(backend.address, context.connectTimeoutMs);
  } catch (error) {
    backend.failedConnects++;
    backend.health.recordFailedConnect();
    context.loggers.get(backend.id)!.warn("cannot connect to backend", { error });
    return undefined;
  }
}

async function relay(
  client: Deno.TcpConn,
  upstream: Deno.TcpConn,
  backend: Backend,
  context: ProxyContext,
): Promise<void> {
  backend.total++;
  const logger = context.loggers.get(backend.id)!;
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
    buffers: context.buffers,
    logger,
  });
  backend.connections.add(relay);
  context.relays.add(relay);
  try {
    await relay.done;
  } finally {
    backend.connections.delete(relay);
    context.relays.delete(relay);
  }
}

/** Sends FIN rather than RST where it can: shut down writing, then close. */
function closeCleanly(conn: Deno.TcpConn): void {
  try {
    conn.closeWrite();
  } catch (error) {
    if (!isExpectedNetworkError(error)) throw error;
  }
  closeQuietly(conn);
}
