/**
 * The audit: every reading comm acknowledged must be in the database exactly once. The stored
 * readings within the seqs this run used are grouped by (device, seq) and each group is checked
 * against the acked set: a group for an acked seq counts as found, a group of more than one
 * document is a duplicate. Whatever acked seq has no group is lost.
 */
import type { Db } from "mongodb";
import { collections } from "@fleetmon/shared/db";
import type { SeqSet } from "./seq_set.ts";

export interface AuditResult {
  devices: number;
  /** Acked (device, seq) pairs looked up. */
  checked: number;
  found: number;
  lost_acked: number;
  duplicates: number;
  /** Up to 10 lost readings' ids, to start an investigation from. */
  lost_examples: string[];
  ms: number;
}

export interface StoredGroup {
  device: string;
  seq: number;
  count: number;
}

/** The tally, given the acked sets and the groups found in the database. Pure. */
export class AuditTally {
  readonly #acked: Map<string, SeqSet>;
  readonly #found = new Map<string, Set<number>>();
  found = 0;
  duplicates = 0;

  constructor(acked: Map<string, SeqSet>) {
    this.#acked = acked;
  }

  add(group: StoredGroup): void {
    if (group.count > 1) this.duplicates += group.count - 1;
    if (!this.#acked.get(group.device)?.has(group.seq)) return;
    let seen = this.#found.get(group.device);
    if (!seen) this.#found.set(group.device, seen = new Set());
    if (seen.has(group.seq)) return;
    seen.add(group.seq);
    this.found++;
  }

  result(ms: number): AuditResult {
    let checked = 0;
    const lost: string[] = [];
    for (const [device, set] of this.#acked) {
      checked += set.size;
      if (lost.length >= 10) continue;
      const seen = this.#found.get(device) ?? new Set();
      for (const [from, to] of set.ranges()) {
        for (let seq = from; seq <= to && lost.length < 10; seq++) {
          if (!seen.has(seq)) lost.push(`${device}:${seq}`);
        }
      }
    }
    return {
      devices: this.#acked.size,
      checked,
      found: this.found,
      lost_acked: checked - this.found,
      duplicates: this.duplicates,
      lost_examples: lost,
      ms,
    };
  }
}

/**
 * "scan" (FerretDB): one pass over the run's seq window, counted here. FerretDB pushes no filter
 * but `_id` equality down to SQLite, so any query reads the whole collection; and its `$group`
 * compares each document with every group so far (stages/group.go), quadratic in the readings.
 * "by-device" (MongoDB): the `$group` aggregation per 500 devices, answered from the device_seq
 * index.
 */
export type AuditStrategy = "scan" | "by-device";

export async function chooseAuditStrategy(db: Db): Promise<AuditStrategy> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === "string" ? "scan" : "by-device";
}

export interface AuditOptions {
  strategy?: AuditStrategy;
  devicesPerQuery?: number;
  /** Called now and then with how many stored readings were read so far. */
  onProgress?(read: number): void;
}

export async function auditReadings(
  db: Db,
  acked: Map<string, SeqSet>,
  options: AuditOptions = {},
): Promise<AuditResult> {
  const started = performance.now();
  const tally = new AuditTally(acked);
  const devices = [...acked.keys()].filter((d) => acked.get(d)!.size > 0);
  const strategy = options.strategy ?? await chooseAuditStrategy(db);
  if (devices.length > 0) {
    if (strategy === "scan") await scan(db, acked, devices, tally, options.onProgress);
    else await aggregateByDevice(db, acked, devices, tally, options.devicesPerQuery ?? 500);
  }
  return tally.result(Math.round(performance.now() - started));
}

function seqWindow(acked: Map<string, SeqSet>, devices: string[]) {
  return {
    $gte: Math.min(...devices.map((d) => acked.get(d)!.min!)),
    $lte: Math.max(...devices.map((d) => acked.get(d)!.max!)),
  };
}

async function scan(
  db: Db,
  acked: Map<string, SeqSet>,
  devices: string[],
  tally: AuditTally,
  onProgress?: (read: number) => void,
): Promise<void> {
  const counts = new Map<string, Map<number, number>>();
  let read = 0;
  const cursor = collections(db).readings.find(
    { seq: seqWindow(acked, devices) },
    { projection: { _id: 0, device: 1, seq: 1 }, batchSize: 10_000 },
  );
  for await (const { device, seq } of cursor) {
    let perDevice = counts.get(device);
    if (!perDevice) counts.set(device, perDevice = new Map());
    perDevice.set(seq, (perDevice.get(seq) ?? 0) + 1);
    if (++read % 50_000 === 0) onProgress?.(read);
  }
  for (const [device, perDevice] of counts) {
    for (const [seq, count] of perDevice) tally.add({ device, seq, count });
  }
}

async function aggregateByDevice(
  db: Db,
  acked: Map<string, SeqSet>,
  devices: string[],
  tally: AuditTally,
  perQuery: number,
): Promise<void> {
  for (let i = 0; i < devices.length; i += perQuery) {
    const batch = devices.slice(i, i + perQuery);
    const cursor = collections(db).readings.aggregate<
      { _id: { device: string; seq: number }; count: number }
    >([
      { $match: { device: { $in: batch }, seq: seqWindow(acked, batch) } },
      { $group: { _id: { device: "$device", seq: "$seq" }, count: { $sum: 1 } } },
    ], { batchSize: 10_000 });
    for await (const group of cursor) {
      tally.add({ device: group._id.device, seq: group._id.seq, count: group.count });
    }
  }
}
