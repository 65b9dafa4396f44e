/** Small socket helpers for the balancer: connect with a deadline, write fully, close quietly. */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { isIpLiteral } from "@fleetmon/shared/ip";

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

/** Connect options for `address`, made once per backend rather than once per connect. */
export function connectOptions(address: HostPort): Deno.ConnectOptions {
  return {
    hostname: address.hostname,
    port: address.port,
    // Happy Eyeballs only helps names: an IP literal has one family.
    autoSelectFamily: !isIpLiteral(address.hostname),
  };
}

export function timedOut(address: HostPort, timeoutMs: number): Error {
  return new Deno.errors.TimedOut(
    `Cannot connect to ${formatHostPort(address)}: no answer in ${timeoutMs} ms`,
  );
}

/**
 * Opens a TCP connection, or fails with TimedOut when there is no answer within `timeoutMs`, or
 * with the abort reason when `signal` aborts first.
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

/** A short description of why a connect or check failed: "ConnectionRefused", "TimedOut". */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}

/** Resolves after `ms`, or at once when `signal` aborts; never rejects. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}
