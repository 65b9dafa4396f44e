/**
 * Serves one client connection (the deno engine): picks a backend round robin, connects to it
 * (trying the next available backend when a connect fails, a bounded number of times), writes a
 * PROXY protocol header if the backend wants one, then relays until both sides are done. With no
 * backend to take it, the client's connection is closed cleanly and counted.
 */
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import {
  pickBackend,
  type ProxyContext,
  recordConnectFailure,
  recordNoBackend,
  type Target,
} from "../connect_policy.ts";
import type { BufferPool } from "./buffer_pool.ts";
import { Relay } from "./relay.ts";
import {
  closeQuietly,
  connectOptions,
  isExpectedNetworkError,
  timedOut,
  writeAll,
} from "../_net.ts";

/** Each backend's connect options, made once (a backend's address never changes). */
const optionsOf = new WeakMap<Target, Deno.ConnectOptions>();

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
  const tried = new Set<Target>();
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

async function connect(backend: Target, context: ProxyContext) {
  const { deadlines, connectTimeoutMs } = context;
  const controller = new AbortController();
  const deadline = deadlines.start(
    connectTimeoutMs,
    () => controller.abort(timedOut(backend.address, connectTimeoutMs)),
  );
  try {
    let options = optionsOf.get(backend);
    if (!options) optionsOf.set(backend, options = connectOptions(backend.address));
    return await Deno.connect({ ...options, signal: controller.signal });
  } catch (error) {
    recordConnectFailure(context, backend, error);
    return undefined;
  } finally {
    deadlines.release(deadline);
  }
}

async function relayThrough(
  backend: Target,
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
