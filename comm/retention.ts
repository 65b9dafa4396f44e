/**
 * Every comm node sweeps expired readings now and then (docs/data.md, "Retention"). Sweeps are
 * idempotent, so nodes need not agree on who sweeps; each starts at a random point of the period
 * so they seldom overlap. stop() cuts a sweep under way short after its current device, so a node
 * that drains is not held up by a sweep of the whole fleet.
 */
import type { Db } from "mongodb";
import { collections } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import { openReadings, type RetentionPolicy } from "@fleetmon/shared/readings";

export interface RetentionSweeps {
  stop(): Promise<void>;
}

export function startRetentionSweeps(options: {
  db: Db;
  everyMs: number;
  policy: RetentionPolicy;
  logger: Logger;
}): RetentionSweeps {
  if (options.everyMs === 0) return { stop: () => Promise.resolve() };
  let sweeping: Promise<void> | undefined;
  const stopping = new AbortController();
  const sweep = () =>
    sweeping ??= (async () => {
      const ids = await collections(options.db).devices.find({}, { projection: { _id: 1 } })
        .map((d) => d._id).toArray();
      const readings = await openReadings(options.db);
      const result = await readings.sweep(ids, options.policy, stopping.signal);
      options.logger.info("retention sweep", { ...result });
    })().catch((error) => {
      options.logger.warn("retention sweep failed; will try next period", { error });
    }).finally(() => sweeping = undefined);
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(function tick() {
    sweep();
    timer = setTimeout(tick, options.everyMs);
  }, Math.random() * options.everyMs);
  return {
    async stop() {
      clearTimeout(timer);
      timer = undefined;
      stopping.abort();
      await sweeping;
    },
  };
}
