/**
 * Checks a reading before it is buffered, with the rules comm applies (docs/protocol.md), so a
 * caller's mistake is a TypeError at `send()` rather than a reading refused minutes later. Pure.
 */
import { DEFAULT_LIMITS, METRIC_NAME_PATTERN } from "@fleetmon/shared/protocol";

export function checkReading(
  metrics: Record<string, number>,
  ts: number,
  maxMetrics: number = DEFAULT_LIMITS.maxMetrics,
): void {
  if (metrics === null || typeof metrics !== "object" || Array.isArray(metrics)) {
    throw new TypeError("Cannot send reading: metrics must be an object of name → number");
  }
  const names = Object.keys(metrics);
  if (names.length === 0) throw new RangeError("Cannot send reading: no metrics");
  if (names.length > maxMetrics) {
    throw new RangeError(
      `Cannot send reading: ${names.length} metrics exceed the limit of ${maxMetrics}`,
    );
  }
  for (const name of names) {
    if (!METRIC_NAME_PATTERN.test(name)) {
      throw new TypeError(
        `Cannot send reading: metric name ${
          JSON.stringify(name).slice(0, 80)
        } is not 1-64 of A-Z a-z 0-9 _ : - (not starting with __)`,
      );
    }
    const value = metrics[name];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw new TypeError(`Cannot send reading: metric ${name} is ${value}, not a finite number`);
    }
  }
  if (!Number.isSafeInteger(ts) || ts < 0) {
    throw new TypeError(`Cannot send reading: ts ${ts} is not a whole number of milliseconds`);
  }
}
