/**
 * Raw readings as insert-only chunk documents: one device's readings of one write, at most
 * MAX_CHUNK_READINGS of them spanning at most MAX_CHUNK_SPAN_MS, stored column by column. The
 * columns of times, values and seqs are one JSON string (`v`): FerretDB 1.24 (SQLite) spends its
 * time per field it stores or returns, and a chunk of 100 readings of 8 metrics has 1,000 such
 * values (docs/data.md). Chunks written before with columns as fields (`t`, `m`, `s`) are still
 * read. Pure.
 */

/** A reading as comm accepted it. */
export interface Reading {
  device: string;
  seq: number;
  /** The device's timestamp, ms since the epoch. */
  ts: number;
  metrics: Record<string, number>;
}

export interface ChunkDoc {
  /** `chunkId(device, first ts, seqs)`: ordered by device, then time. */
  _id: string;
  /** The device: with `_id`, the shard key on MongoDB (docs/data.md). */
  d: string;
  /** Earliest and latest ts in the chunk. */
  t0: Date;
  t1: Date;
  /** The first reading's seq. */
  s0?: number;
  /** `JSON.stringify([t, m, s])`: ts as ms after t0; metric name → a column of values (null where
   * a reading lacks the metric); seqs as offsets from s0; all in the chunk's order. */
  v?: string;
  /** The seqs as a field, in chunks written before `s0`. */
  s?: number[];
  /** The times and values as fields, in chunks written before `v`. */
  t?: number[];
  m?: Record<string, (number | null)[]>;
  /** When and by which comm node it was written. */
  w: Date;
  node: string;
}

export const MAX_CHUNK_READINGS = 100;
/**
 * A chunk's readings lie within this span, so a range read starts this much earlier. Ten minutes:
 * a bulk load or migration of slow devices (one reading a minute) still gets ten to a chunk,
 * while a range read of a fast device reads at most ten minutes of chunks too many.
 */
export const MAX_CHUNK_SPAN_MS = 600_000;

import { chunkId } from "./_keys.ts";

/**
 * Groups readings into chunks: by device, in (ts, seq) order, a new chunk whenever the span or
 * the count would be exceeded. The same readings always give the same chunks.
 */
export function buildChunks(readings: Reading[], node: string, now: Date): ChunkDoc[] {
  const byDevice = new Map<string, Reading[]>();
  for (const r of readings) {
    let list = byDevice.get(r.device);
    if (!list) byDevice.set(r.device, list = []);
    list.push(r);
  }
  const chunks: ChunkDoc[] = [];
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
    let start = 0;
    for (let i = 1; i <= list.length; i++) {
      const full = i - start >= MAX_CHUNK_READINGS;
      if (i === list.length || full || list[i].ts - list[start].ts > MAX_CHUNK_SPAN_MS) {
        chunks.push(packChunk(device, list.slice(start, i), node, now));
        start = i;
      }
    }
  }
  return chunks;
}

function packChunk(device: string, list: Reading[], node: string, now: Date): ChunkDoc {
  const t0 = list[0].ts;
  const m: Record<string, (number | null)[]> = {};
  list.forEach((r, row) => {
    for (const name in r.metrics) {
      (m[name] ??= new Array(list.length).fill(null))[row] = r.metrics[name];
    }
  });
  const s0 = list[0].seq;
  return {
    _id: chunkId(device, t0, list.map((r) => r.seq)),
    d: device,
    t0: new Date(t0),
    t1: new Date(list.at(-1)!.ts),
    s0,
    v: JSON.stringify([list.map((r) => r.ts - t0), m, list.map((r) => r.seq - s0)]),
    w: now,
    node,
  };
}

/** A stored reading: what comm accepted, plus when and where it was written. */
export interface StoredReading extends Reading {
  receivedAt: number;
  node: string;
}

type Columns = [number[], Record<string, (number | null)[]>, number[]?];

const columnsOf = (doc: ChunkDoc): Columns =>
  doc.v === undefined ? [doc.t ?? [], doc.m ?? {}] : JSON.parse(doc.v);

function seqsOf(doc: ChunkDoc, offsets: number[] | undefined): number[] {
  return doc.s0 !== undefined && offsets ? offsets.map((d) => doc.s0! + d) : doc.s ?? [];
}

/** The seqs of a chunk's readings, in its order (the simulator's audit counts them). */
export function chunkSeqs(doc: ChunkDoc): number[] {
  return seqsOf(doc, doc.s0 === undefined ? undefined : columnsOf(doc)[2]);
}

/** The readings of a chunk, in its order. */
export function unpackChunk(doc: ChunkDoc): StoredReading[] {
  const t0 = doc.t0.getTime();
  const w = doc.w.getTime();
  const [t, m, offsets] = columnsOf(doc);
  return seqsOf(doc, offsets).map((seq, row) => {
    const metrics: Record<string, number> = {};
    for (const name in m) {
      const value = m[name][row];
      if (value !== null && value !== undefined) metrics[name] = value;
    }
    return { device: doc.d, seq, ts: t0 + t[row], metrics, receivedAt: w, node: doc.node };
  });
}
