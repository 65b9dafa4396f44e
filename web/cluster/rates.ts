/**
 * Per-second rates of the nodes' counters, from the difference between two heartbeats of the same
 * node (heartbeats carry lifetime counters). Pure: fed with what the nodes collection says, at
 * whatever pace; a counter that went down (the node restarted) gives no rate until the next beat.
 */

/** Heartbeat counters that only grow; their rates are shown. */
export const RATE_COUNTERS = [
  "requests",
  "responses5xx",
  "loginsFailed",
  "readingsStored",
  "readingsAccepted",
  "readingsRejected",
  "connectionsTotal",
  "dbWriteErrors",
] as const;

interface Sample {
  at: number;
  stats: Record<string, number>;
}

export interface RateTracker {
  /** Records a node's heartbeat (ignored when its time is the same as the last one's). */
  observe(node: string, heartbeatAt: number, stats: Record<string, number>): void;
  /** Per-second rates between the node's last two different heartbeats; {} until there are two. */
  rates(node: string): Record<string, number>;
}

export function createRateTracker(): RateTracker {
  const samples = new Map<string, { previous?: Sample; last: Sample }>();
  return {
    observe(node, at, stats) {
      const known = samples.get(node);
      if (known && known.last.at === at) return;
      if (known && at < known.last.at) return;
      samples.set(node, { previous: known?.last, last: { at, stats: { ...stats } } });
    },
    rates(node) {
      const known = samples.get(node);
      if (!known?.previous) return {};
      const seconds = (known.last.at - known.previous.at) / 1000;
      const rates: Record<string, number> = {};
      for (const name of RATE_COUNTERS) {
        const now = known.last.stats[name];
        const before = known.previous.stats[name];
        if (typeof now !== "number" || typeof before !== "number" || now < before) continue;
        rates[name] = (now - before) / seconds;
      }
      return rates;
    },
  };
}
