/** Socket helpers for the balancer: connect with a deadline, plus the shared ones. */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { isIpLiteral } from "@fleetmon/shared/ip";

export { delay } from "@fleetmon/shared/delay";
export {
  closeQuietly,
  isExpectedNetworkError,
  isOutOfDescriptors,
  writeAll,
} from "@fleetmon/shared/socket";

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
