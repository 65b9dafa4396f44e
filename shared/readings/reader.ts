/**
 * Reading raw readings back: one device's newest N, a time range, an export. Every query is one
 * device's `_id` range, paged by `_id`, so both engines answer it from the `_id` index (tests:
 * reader_test.ts shows FerretDB's plan). A reading resent and stored in two chunks comes back
 * once: readings are told apart by (device, seq).
 */
import type { Collection, Db } from "mongodb";
import { deviceRange, idRange } from "./_keys.ts";
import { type ChunkDoc, MAX_CHUNK_SPAN_MS, type StoredReading, unpackChunk } from "./chunks.ts";
import { deviceFilter, type Engine, rawChunks } from "./collections.ts";

/** No read walks more pages than this (each up to `pageSize` chunks). */
const MAX_PAGES = 100_000;

export interface Pager<T extends { _id: string }> {
  collection: Collection<T>;
  engine: Engine;
}

/**
 * One device's documents with `_id` in `bounds`, in `_id` order (or reverse), a page at a time;
 * pages grow fourfold from `pageSize` up to `maxPageSize` (a reader that stops early reads little).
 */
export async function* pageById<T extends { _id: string }>(
  pager: Pager<T>,
  device: string,
  bounds: { $gte: string; $lt: string },
  direction: 1 | -1,
  pageSize: number,
  maxPageSize = pageSize,
): AsyncGenerator<T> {
  let range: Record<string, string> = bounds;
  let size = pageSize;
  for (let page = 0; page < MAX_PAGES; page++) {
    const docs = await pager.collection.find(deviceFilter(pager.engine, device, range) as never)
      .sort({ _id: direction }).limit(size).toArray() as T[];
    yield* docs;
    if (docs.length < size) return;
    size = Math.min(maxPageSize, size * 4);
    const last = docs.at(-1)!._id;
    range = direction === 1 ? { $gt: last, $lt: bounds.$lt } : { $gte: bounds.$gte, $lt: last };
  }
}

const newestFirst = (a: StoredReading, b: StoredReading) => b.ts - a.ts || b.seq - a.seq;
const oldestFirst = (a: StoredReading, b: StoredReading) => a.ts - b.ts || a.seq - b.seq;

export class ReadingReader {
  readonly #pager: Pager<ChunkDoc>;

  constructor(db: Db, engine: Engine) {
    this.#pager = { collection: rawChunks(db), engine };
  }

  /**
   * The device's newest `limit` readings with ts < `before`, newest first. Readings that share
   * the oldest returned ts are all returned, so paging by `before` = that ts misses none.
   */
  async latest(device: string, limit: number, before = Number.MAX_SAFE_INTEGER) {
    const bySeq = new Map<number, StoredReading>();
    const bounds = { $gte: deviceRange(device).$gte, $lt: idRange(device, 0, before).$lt };
    // A chunk spans at most 10 minutes: a device sending once a minute has ~10 readings in each,
    // a busy one up to 100, a quiet one 1. One page for the first case, then pages grow. (Newest
    // 100 of a once-a-minute device on FerretDB: 8-10 ms at the median from 12 chunks, 28-34 ms
    // growing from 2: round trips, not bytes, cost here.)
    let newest: number[] = [];
    const first = Math.min(200, Math.ceil(limit / 10) + 2);
    for await (const chunk of pageById(this.#pager, device, bounds, -1, first, 200)) {
      // Chunks come by falling t0; none after this one holds a reading newer than t0 + span.
      if (newest.length >= limit && newest[limit - 1] > chunk.t0.getTime() + MAX_CHUNK_SPAN_MS) {
        break;
      }
      for (const r of unpackChunk(chunk)) {
        if (r.ts < before && !bySeq.has(r.seq)) bySeq.set(r.seq, r);
      }
      newest = [...bySeq.values()].map((r) => r.ts).sort((a, b) => b - a);
    }
    const all = [...bySeq.values()].sort(newestFirst);
    const cut = all[limit - 1]?.ts;
    return cut === undefined ? all : all.filter((r, i) => i < limit || r.ts === cut);
  }

  /** The device's readings with from <= ts < to, oldest first, at most `limit`. */
  async range(device: string, from: number, to: number, limit = Infinity) {
    const out: StoredReading[] = [];
    for await (const r of this.export(device, from, to)) {
      if (out.length >= limit) break;
      out.push(r);
    }
    return out;
  }

  /**
   * Streams the device's readings with from <= ts < to, oldest first. A chunk's readings are
   * held until a later chunk starts after them: chunks come by rising t0, so nothing older can
   * follow, and a resent copy of a reading (same seq, same ts) is dropped while it is held.
   * `spanMs`: how much earlier than `from` a chunk holding a reading of the range may start; a
   * caller that knows its chunks span less (the rehearsal's audit) reads fewer.
   */
  async *export(
    device: string,
    from: number,
    to: number,
    spanMs = MAX_CHUNK_SPAN_MS,
  ): AsyncGenerator<StoredReading> {
    const bounds = idRange(device, from - spanMs, to);
    const held = new Map<number, StoredReading>();
    const sent = new Set<number>();
    const release = function* (before: number) {
      const ready = [...held.values()].filter((r) => r.ts < before).sort(oldestFirst);
      for (const r of ready) {
        held.delete(r.seq);
        if (sent.size > 1_000_000) sent.clear(); // bounded: copies share their ts anyway
        sent.add(r.seq);
        yield r;
      }
    };
    for await (const chunk of pageById(this.#pager, device, bounds, 1, 100)) {
      yield* release(chunk.t0.getTime());
      for (const r of unpackChunk(chunk)) {
        if (r.ts >= from && r.ts < to && !held.has(r.seq) && !sent.has(r.seq)) held.set(r.seq, r);
      }
    }
    yield* release(Infinity);
  }
}
