/**
 * Rollup tiers: per device, each metric's min, max, sum, count and last per minute and per hour.
 * Stored as buckets of cells, after the bucket pattern: one `readings_1m` document per device and
 * hour holding its minutes, one `readings_1h` document per device and day holding its hours. A
 * 24-hour chart reads 25 documents, a 30-day one 31.
 *
 * A cell is always recomputed whole — a minute from the raw readings in it (each (device, seq)
 * once), an hour from its minutes — and set under its own field (`c.<index>`), so a resend, a
 * replay or a second recompute never counts a reading twice, and two nodes recomputing different
 * minutes of one hour do not overwrite each other. What to recompute comes from marks: the writer
 * notes each (device, minute) it touched (RollupMarks); `recomputeRollups` takes the quiet ones.
 */
import type { Db, UpdateFilter } from "mongodb";
import { bucketId, idRange } from "./_keys.ts";
import { rollups } from "./collections.ts";
import type { ReadingReader } from "./reader.ts";
import { bucketCells, bucketReadings, type Cell } from "./series.ts";
import { packCells, type StoredCells, unpackCells } from "./cell_codec.ts";

export interface RollupDoc {
  /** `bucketId(device, start)`. */
  _id: string;
  d: string;
  /** The document's start: an hour (1m tier) or a day (1h tier). */
  t: Date;
  /** Cell index (minutes or hours after `t`) → its metrics' figures, packed (cell_codec.ts). */
  c: Record<string, StoredCells>;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Each tier's cell width and document span. */
export const TIERS = {
  "1m": { cellMs: MINUTE_MS, docMs: HOUR_MS },
  "1h": { cellMs: HOUR_MS, docMs: DAY_MS },
} as const;

/** Which (device, minute) buckets saw writes, and when they were last touched. Pure. */
export class RollupMarks {
  readonly #marks = new Map<
    string,
    { device: string; minute: number; touched: number; first: number }
  >();

  get size(): number {
    return this.#marks.size;
  }

  mark(device: string, ts: number, now: number): void {
    const minute = ts - (ts % MINUTE_MS);
    const key = `${device}|${minute}`;
    const known = this.#marks.get(key);
    if (known) known.touched = now;
    else this.#marks.set(key, { device, minute, touched: now, first: now });
  }

  /**
   * Marks of minutes that are over and quiet for `settleMs`, or waiting longer than `maxWaitMs`;
   * all of them with `all`. Waiting for the minute's end makes it one recompute per device and
   * minute: a device reporting every 5 s used to have its minute recomputed after each reading
   * (12 times, 4 database commands each), most of FerretDB's work under `--simulate 300`.
   */
  take(now: number, settleMs: number, maxWaitMs: number, all = false) {
    const due: { device: string; minute: number }[] = [];
    for (const [key, m] of this.#marks) {
      const settled = now >= m.minute + MINUTE_MS && now - m.touched >= settleMs;
      if (all || settled || now - m.first >= maxWaitMs) {
        due.push({ device: m.device, minute: m.minute });
        this.#marks.delete(key);
      }
    }
    return due;
  }

  /** Puts back marks whose recompute failed. */
  restore(marks: { device: string; minute: number }[], now: number): void {
    for (const m of marks) this.mark(m.device, m.minute, now);
  }
}

/** Recomputes the given minutes from raw, then the hours that hold them from their minutes. */
export async function recomputeRollups(
  db: Db,
  reader: ReadingReader,
  marks: { device: string; minute: number }[],
): Promise<void> {
  const hours = new Map<string, { device: string; hour: number }>();
  for (const { device, minute } of marks) {
    const readings = await reader.range(device, minute, minute + MINUTE_MS);
    const cells = bucketReadings(readings, MINUTE_MS).get(minute);
    await setCell(db, "1m", device, minute, cells);
    const hour = minute - (minute % HOUR_MS);
    hours.set(`${device}|${hour}`, { device, hour });
  }
  for (const { device, hour } of hours.values()) {
    const doc = await rollups(db, "1m").findOne({ _id: bucketId(device, hour), d: device });
    const merged = new Map();
    if (doc) {
      for (const [start, cells] of cellsOf(doc, "1m")) bucketCells(start, cells, HOUR_MS, merged);
    }
    await setCell(db, "1h", device, hour, merged.get(hour));
  }
}

/** Sets (or, without data, unsets) one cell of a tier's document, creating the document. */
async function setCell(
  db: Db,
  tier: keyof typeof TIERS,
  device: string,
  start: number,
  cells: Map<string, Cell> | undefined,
): Promise<void> {
  const { cellMs, docMs } = TIERS[tier];
  const docStart = start - (start % docMs);
  const field = `c.${(start - docStart) / cellMs}`;
  // The device in the filter: an upsert on a sharded collection must name the whole shard key.
  const filter = { _id: bucketId(device, docStart), d: device };
  const update: UpdateFilter<RollupDoc> = cells && cells.size > 0
    ? { $set: { t: new Date(docStart), [field]: packCells(cells, start) } }
    : { $unset: { [field]: "" } };
  await rollups(db, tier).updateOne(filter, update, {
    upsert: cells !== undefined && cells.size > 0,
  });
}

/** The cells of a tier's document with their starts. */
export function cellsOf(
  doc: RollupDoc,
  tier: keyof typeof TIERS,
): [number, Record<string, Cell>][] {
  const start = doc.t.getTime();
  return Object.entries(doc.c ?? {}).map((
    [i, cells],
  ) => {
    const cellStart = start + Number(i) * TIERS[tier].cellMs;
    return [cellStart, unpackCells(cells, cellStart)];
  });
}

/** The `_id` range of a tier's documents that may hold cells in [from, to). */
export function rollupRange(device: string, tier: keyof typeof TIERS, from: number, to: number) {
  const { docMs } = TIERS[tier];
  return idRange(device, from - (from % docMs), to);
}
