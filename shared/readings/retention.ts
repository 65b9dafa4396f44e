/**
 * Retention per tier: everything older than the tier's horizon is deleted device by device, each
 * an `_id` range from the device's first document up to the cutoff. Both engines find those
 * documents in the `_id` index, so a sweep costs what expires (plus one indexed probe per
 * device), never a scan of what is kept. Not TTL indexes: FerretDB 1.24 has none.
 */
import type { Db } from "mongodb";
import { idRange } from "./_keys.ts";
import { deviceFilter, type Engine, rawChunks, rollups } from "./collections.ts";

export interface RetentionPolicy {
  rawMs: number;
  minuteMs: number;
  hourMs: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  rawMs: 7 * 86_400_000,
  minuteMs: 90 * 86_400_000,
  hourMs: 2 * 365 * 86_400_000,
};

export interface SweepResult {
  devices: number;
  deleted: { raw: number; "1m": number; "1h": number };
  ms: number;
  /** True when `signal` stopped the sweep before its last device (a later sweep does the rest). */
  stopped: boolean;
}

/**
 * Deletes what each tier no longer keeps, for every device in `devices`; stops between two devices
 * once `signal` aborts (sweeps are idempotent, so the next one finishes the job).
 */
export async function sweepRetention(
  db: Db,
  engine: Engine,
  devices: string[],
  now: number,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  signal?: AbortSignal,
): Promise<SweepResult> {
  const started = performance.now();
  const deleted = { raw: 0, "1m": 0, "1h": 0 };
  const tiers = [
    ["raw", rawChunks(db), policy.rawMs],
    ["1m", rollups(db, "1m"), policy.minuteMs],
    ["1h", rollups(db, "1h"), policy.hourMs],
  ] as const;
  let swept = 0;
  for (const device of devices) {
    if (signal?.aborted) break;
    swept++;
    for (const [tier, collection, keepMs] of tiers) {
      const filter = deviceFilter(engine, device, idRange(device, 0, now - keepMs));
      deleted[tier] += (await collection.deleteMany(filter)).deletedCount;
    }
  }
  return {
    devices: swept,
    deleted,
    ms: Math.round(performance.now() - started),
    stopped: swept < devices.length,
  };
}
