/** Socket helpers for the balancer: the shared ones, and how to describe a failed connect. */
export { delay } from "@fleetmon/shared/delay";
export {
  closeQuietly,
  connectOptions,
  connectWithTimeout,
  isExpectedNetworkError,
  isOutOfDescriptors,
  timedOut,
  writeAll,
} from "@fleetmon/shared/socket";

/** A short description of why a connect or check failed: "ConnectionRefused", "TimedOut". */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message ? `${error.name}: ${error.message}` : error.name;
  return String(error);
}
