/**
 * Judging one rule's condition on one device, from what the evaluator remembers of it. Pure: the
 * caller passes the clock. A verdict of `undefined` means "cannot tell" (no reading yet, metric
 * never seen, one reading only for a rate): the alert keeps its state.
 */
import type { Comparison, Condition } from "./model.ts";

/** What the evaluator knows of one device at one tick. */
export interface DeviceMemory {
  id: string;
  group?: string;
  /** When the newest reading arrived (server clock, ms); undefined if never seen. */
  lastSeen?: number;
  /** The newest reading's own time (ms) and values. */
  ts?: number;
  metrics?: Record<string, number>;
  /** The reading before it, for rates. */
  prev?: { ts: number; metrics: Record<string, number> };
  /** When each metric was last present in a reading (or when the evaluator started watching). */
  metricSeenAt: Map<string, number>;
  /** When the evaluator started watching this device: no-data windows start no earlier. */
  watchedSince: number;
}

export interface Verdict {
  active: boolean;
  value: number;
}

export function compare(value: number, op: Comparison, limit: number): boolean {
  switch (op) {
    case ">":
      return value > limit;
    case ">=":
      return value >= limit;
    case "<":
      return value < limit;
    case "<=":
      return value <= limit;
  }
}

/** `wasActive`: the alert is pending or firing, so a threshold's hysteresis applies. */
export function judge(
  condition: Condition,
  device: DeviceMemory,
  now: number,
  wasActive: boolean,
): Verdict | undefined {
  switch (condition.kind) {
    case "threshold": {
      const value = device.metrics?.[condition.metric];
      if (value === undefined) return undefined;
      // Hysteresis: once active, it stays so while the value is past `clear` (same comparison).
      const limit = wasActive ? condition.clear ?? condition.value : condition.value;
      const active = compare(value, condition.op, limit);
      return { active, value };
    }
    case "rate": {
      const value = rate(device, condition.metric);
      if (value === undefined) return undefined;
      return { active: compare(value, condition.op, condition.value), value };
    }
    case "offline": {
      if (device.lastSeen === undefined) return undefined;
      const silentMs = now - device.lastSeen;
      return { active: silentMs >= condition.afterMs, value: Math.round(silentMs / 1000) };
    }
    case "no_data": {
      if (device.lastSeen === undefined) return undefined;
      const seenAt = device.metricSeenAt.get(condition.metric) ?? device.watchedSince;
      const silentMs = now - seenAt;
      return { active: silentMs >= condition.afterMs, value: Math.round(silentMs / 1000) };
    }
  }
}

/** Change per second between the last two readings, by the device's own clock. */
export function rate(device: DeviceMemory, metric: string): number | undefined {
  const now = device.metrics?.[metric];
  const before = device.prev?.metrics[metric];
  if (now === undefined || before === undefined || device.ts === undefined || !device.prev) {
    return undefined;
  }
  const seconds = (device.ts - device.prev.ts) / 1000;
  if (!(seconds > 0)) return undefined;
  return (now - before) / seconds;
}
