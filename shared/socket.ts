/**
 * Socket helpers every tier needs: expected network errors, closing quietly, writing fully,
 * connecting with a deadline, and a free port.
 */
import { isIpLiteral } from "./ip.ts";
import { formatHostPort, type HostPort } from "./net.ts";

/**
 * Errors that end one connection in the ordinary course of things: the peer reset or went away,
 * or we closed the socket ourselves while a read or write was pending.
 */
export function isExpectedNetworkError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted;
}

/**
 * This process ran out of file descriptors (EMFILE, ENFILE): a local problem that says nothing
 * about a backend's health, so it is never counted against one.
 */
export function isOutOfDescriptors(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/** Closes a connection that may already be closed. */
export function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource)) throw error;
  }
}

/** Writes `length` bytes of `buffer`, however many writes that takes. */
export async function writeAll(conn: Deno.Conn, buffer: Uint8Array, length = buffer.length) {
  let offset = await conn.write(length === buffer.length ? buffer : buffer.subarray(0, length));
  while (offset < length) offset += await conn.write(buffer.subarray(offset, length));
}

/** Connect options for `address`: Happy Eyeballs only for names, since an IP literal has one family. */
export function connectOptions(address: HostPort): Deno.ConnectOptions {
  return {
    hostname: address.hostname,
    port: address.port,
    autoSelectFamily: !isIpLiteral(address.hostname),
  };
}

/** The error of a connect that got no answer in time. */
export function timedOut(address: HostPort, timeoutMs: number): Deno.errors.TimedOut {
  return new Deno.errors.TimedOut(
    `Cannot connect to ${formatHostPort(address)}: no answer in ${timeoutMs} ms`,
  );
}

/**
 * Opens a TCP connection, or fails with TimedOut (see `timedOut`) when there is no answer within
 * `timeoutMs`, or with the abort reason when `signal` aborts first. Either way the pending connect
 * is aborted, so no socket is left behind.
 */
export async function connectWithTimeout(
  address: HostPort,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Deno.TcpConn> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort);
  const timer = setTimeout(() => controller.abort(timedOut(address, timeoutMs)), timeoutMs);
  try {
    return await Deno.connect({ ...connectOptions(address), signal: controller.signal });
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** A loopback port the kernel says is free right now (another process may still take it). */
export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ hostname, port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}
