/**
 * The overview's traffic figures, refreshed every few seconds from two small collections: the
 * ingest rate from comm nodes' heartbeats (readingsStored between two heartbeats), readings and
 * nacks by code today from `daily_counts` (one document per UTC day, by _id).
 */
import type { Db } from "mongodb";
import { dailyCounts, dayOf, listNodes, NODE_STALE_AFTER_MS } from "@fleetmon/shared/db";

export interface Activity {
  /** Readings stored per second over the comm nodes' last two heartbeats. */
  readingsPerSecond: number;
  readingsToday: number;
  nacksToday: Record<string, number>;
  commNodes: { alive: number; total: number };
}

export const emptyActivity = (): Activity => ({
  readingsPerSecond: 0,
  readingsToday: 0,
  nacksToday: {},
  commNodes: { alive: 0, total: 0 },
});

/** Remembers each comm node's previous heartbeat to turn counters into rates. */
export function createActivityReader(db: Db) {
  const previous = new Map<string, { at: number; stored: number; rate: number }>();
  return async function readActivity(now: number): Promise<Activity> {
    const [nodes, today] = await Promise.all([
      listNodes(db),
      dailyCounts(db).findOne({ _id: dayOf(new Date(now)) }),
    ]);
    let rate = 0;
    let alive = 0;
    const comm = nodes.filter((n) => n.kind === "comm");
    for (const node of comm) {
      const at = node.heartbeatAt.getTime();
      if (now - at >= NODE_STALE_AFTER_MS) continue;
      alive++;
      const stored = node.stats?.readingsStored ?? 0;
      const before = previous.get(node._id);
      let nodeRate = before?.rate ?? 0;
      if (before && at > before.at && stored >= before.stored) {
        nodeRate = (stored - before.stored) / ((at - before.at) / 1000);
      }
      if (!before || at > before.at) previous.set(node._id, { at, stored, rate: nodeRate });
      rate += nodeRate;
    }
    return {
      readingsPerSecond: rate,
      readingsToday: today?.readings ?? 0,
      nacksToday: today?.nacks ?? {},
      commNodes: { alive, total: comm.length },
    };
  };
}
