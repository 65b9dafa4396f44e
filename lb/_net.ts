/** Small socket helpers for the balancer: connect with a deadline, write fully, close quietly. */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { parseIPv4, parseIPv6 } from "@fleetmon/shared/ip";

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

const isIpLiteral = (hostname: string) => !!(parseIPv4(hostname) ?? parseIPv6(hostname));

/** Opens a TCP connection, or fails with TimedOut when there is no answer within `timeoutMs`. */
export async function connectWithTimeout(
  address: HostPort,
  timeoutMs: number,
): Promise<Deno.TcpConn> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    const where = formatHostPort(address);
    controller.abort(
      new Deno.errors.TimedOut(`Cannot connect to ${where}: no answer in ${timeoutMs} ms`),
    );
  }, timeoutMs);
  try {
    return await Deno.connect({
      hostname: address.hostname,
      port: address.port,
      signal: controller.signal,
      // Happy Eyeballs only helps names; an IP literal has one family.
      autoSelectFamily: !isIpLiteral(address.hostname),
    });
  } finally {
    clearTimeout(timer);
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
