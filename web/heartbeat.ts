/**
 * The web node's heartbeat: every `intervalMs` (5 s) it upserts its NodeDoc (kind "web") with
 * its counters, so /cluster on any node shows it, alive or stale.
 */
import type { Db } from "mongodb";
import { type NodeDoc, writeHeartbeat } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import { every, type Periodic } from "./periodic.ts";
import type { WebStats } from "./stats.ts";

export const HEARTBEAT_INTERVAL_MS = 5_000;

export interface HeartbeatOptions {
  db: Db;
  logger: Logger;
  node: Omit<NodeDoc, "heartbeatAt" | "stats" | "kind">;
  stats: WebStats;
  intervalMs?: number;
  now?: () => number;
}

export function heartbeatDoc(
  node: HeartbeatOptions["node"],
  stats: WebStats,
  now: number,
): NodeDoc {
  return { ...node, kind: "web", heartbeatAt: new Date(now), stats: { ...stats } };
}

export function startHeartbeat(options: HeartbeatOptions): Periodic {
  const now = options.now ?? Date.now;
  return every(
    options.intervalMs ?? HEARTBEAT_INTERVAL_MS,
    () => writeHeartbeat(options.db, heartbeatDoc(options.node, options.stats, now())),
    { logger: options.logger, name: "heartbeat" },
  );
}
