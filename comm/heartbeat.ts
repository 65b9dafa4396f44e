/** Writes this node's id, version, address and counters to the nodes collection periodically. */
import type { Db } from "mongodb";
import { writeHeartbeat } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import type { CommStats } from "./stats.ts";

export const VERSION = "0.1.0";

export function startHeartbeat(
  options: {
    db: Db;
    node: string;
    address: string;
    stats: CommStats;
    intervalMs: number;
    logger: Logger;
    /** Readings received but not yet stored (the batcher's queue), for the cluster page. */
    pending?: () => number;
  },
): { stop(): Promise<void> } {
  const startedAt = new Date();
  let running: Promise<void> = Promise.resolve();
  const beat = () => {
    running = writeHeartbeat(options.db, {
      _id: options.node,
      kind: "comm",
      version: VERSION,
      address: options.address,
      host: Deno.hostname(),
      pid: Deno.pid,
      startedAt,
      heartbeatAt: new Date(),
      stats: {
        connections: options.stats.connectionsActive,
        connectionsTotal: options.stats.connectionsTotal,
        probes: options.stats.probes,
        readingsAccepted: options.stats.readingsAccepted,
        readingsStored: options.stats.readingsStored,
        readingsRejected: Object.values(options.stats.readingsRejected).reduce((a, b) => a + b, 0),
        dbWriteErrors: options.stats.dbWriteErrors,
        pendingReadings: options.pending?.() ?? 0,
      },
    }).catch((error) => options.logger.warn("cannot write heartbeat", { error }));
  };
  beat();
  const timer = setInterval(beat, options.intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
