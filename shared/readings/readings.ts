/**
 * `Readings`: the one way to store and read readings (docs/data.md). comm writes through it; web,
 * the simulator's audit, exports and the benchmark read through it.
 */
import type { Db, WriteConcern } from "mongodb";
import type { Reading } from "./chunks.ts";
import { detectEngine, type Engine, rollups } from "./collections.ts";
import { pageById, ReadingReader } from "./reader.ts";
import { cellsOf, recomputeRollups, RollupMarks, rollupRange } from "./rollups.ts";
import { bucketCells, bucketReadings, chooseTier, type Series, toSeries } from "./series.ts";
import { type RetentionPolicy, sweepRetention } from "./retention.ts";
import { writeReadings } from "./writer.ts";

export interface ReadingsOptions {
  /** Found with `buildInfo` when not given. */
  engine?: Engine;
  /** Write concern of raw writes: "majority" unless given (docs/data.md). */
  writeConcern?: WriteConcern["w"];
  /** The comm node writing, kept on each chunk. */
  node?: string;
  now?: () => number;
}

export class Readings {
  readonly db: Db;
  readonly engine: Engine;
  readonly reader: ReadingReader;
  /** (device, minute) buckets written through this instance and not yet rolled up. */
  readonly marks = new RollupMarks();
  readonly #options: ReadingsOptions;

  constructor(db: Db, engine: Engine, options: ReadingsOptions = {}) {
    this.db = db;
    this.engine = engine;
    this.reader = new ReadingReader(db, engine);
    this.#options = options;
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /**
   * Stores readings durably (per the write concern) and marks their minutes for rollup. `node`
   * names the comm node that took them (the instance's `node` unless given).
   */
  async write(readings: Reading[], node?: string): Promise<void> {
    await writeReadings(this.db, readings, {
      node: node ?? this.#options.node ?? "unknown",
      writeConcern: this.#options.writeConcern,
      now: this.#options.now,
    });
    const now = this.#now();
    for (const r of readings) this.marks.mark(r.device, r.ts, now);
  }

  /** Newest first; see ReadingReader.latest. */
  latest(device: string, limit: number, before?: number) {
    return this.reader.latest(device, limit, before);
  }

  range(device: string, from: number, to: number, limit?: number) {
    return this.reader.range(device, from, to, limit);
  }

  export(device: string, from: number, to: number, spanMs?: number) {
    return this.reader.export(device, from, to, spanMs);
  }

  /** One device's chart over [from, to): the tier that keeps it within ~1,000 points a metric. */
  async series(device: string, from: number, to: number): Promise<Series> {
    const { tier, stepMs } = chooseTier(from, to);
    const start = from - (from % stepMs);
    const buckets = new Map();
    if (tier === "raw") {
      for await (const r of this.reader.export(device, start, to)) {
        bucketReadings([r], stepMs, buckets);
      }
    } else {
      const pager = { collection: rollups(this.db, tier), engine: this.engine };
      for await (
        const doc of pageById(pager, device, rollupRange(device, tier, start, to), 1, 100)
      ) {
        for (const [cellStart, cells] of cellsOf(doc, tier)) {
          if (cellStart >= start && cellStart < to) bucketCells(cellStart, cells, stepMs, buckets);
        }
      }
    }
    return toSeries(buckets, tier, stepMs, from, to);
  }

  /**
   * Recomputes the rollups of marked minutes quiet for `settleMs` (or older than `maxWaitMs`),
   * all of them with `all`. A failed recompute puts its marks back. Returns how many minutes.
   */
  async rollUp(options: { settleMs?: number; maxWaitMs?: number; all?: boolean } = {}) {
    const now = this.#now();
    const due = this.marks.take(
      now,
      options.settleMs ?? 2_000,
      options.maxWaitMs ?? 60_000,
      options.all,
    );
    try {
      await recomputeRollups(this.db, this.reader, due);
    } catch (error) {
      this.marks.restore(due, now);
      throw error;
    }
    return due.length;
  }

  sweep(devices: string[], policy?: RetentionPolicy, signal?: AbortSignal) {
    return sweepRetention(this.db, this.engine, devices, this.#now(), policy, signal);
  }
}

export async function openReadings(db: Db, options: ReadingsOptions = {}): Promise<Readings> {
  return new Readings(db, options.engine ?? await detectEngine(db), options);
}

const opened = new WeakMap<Db, Promise<Readings>>();

/** One shared `Readings` per database handle (readers only: no node, default write concern). */
export function readingsFor(db: Db): Promise<Readings> {
  let readings = opened.get(db);
  if (!readings) {
    readings = openReadings(db);
    opened.set(db, readings);
    readings.catch(() => opened.delete(db)); // ask again next time
  }
  return readings;
}
