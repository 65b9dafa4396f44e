/**
 * The audit: every reading comm acknowledged must be in the database, and shown exactly once.
 * Each acked device's readings are grouped by seq and each group is checked against the acked
 * set: a group for an acked seq counts as found, a group of more than one is a duplicate.
 * Whatever acked seq has no group is lost.
 */
import type { Db } from "mongodb";
import {
  chunkSeqs,
  deviceRange,
  idRange,
  MAX_CHUNK_SPAN_MS,
  openReadings,
  pageById,
  rawChunks,
} from "@fleetmon/shared/readings";
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

export interface AuditOptions {
  /** Called now and then with how many stored readings were read so far. */
  onProgress?(read: number): void;
  /**
   * Reads only stored readings with ts >= `from` (default: everything), for an audit of what was
   * acked since the last one: an acked reading older than `from` counts as lost, so a window too
   * small fails loudly. First only chunks that start at most `spanMs` before `from` are read; a
   * device with acked readings missing there is read again from MAX_CHUNK_SPAN_MS before it, the
   * store's own bound: a chunk holds one write's readings of one device, and one write may hold
   * an old reading beside new ones (one sent on a connection the device gave up, delivered late;
   * a resend), so a chunk can start up to that much before the readings of the window.
   */
  window?: { from: number; spanMs: number };
}

/** What a windowed audit found only in chunks that start more than `spanMs` before `from`. */
export interface WindowMisses {
  window_missed: number;
  /** Up to 5, e.g. "d1:7 in a chunk of 3 from cs0 starting 61000 ms before the window". */
  window_missed_examples: string[];
}

/**
 * Reads each acked device's readings through the readings view every other part uses (the
 * export: each (device, seq) once, from the `_id`-indexed chunks) and tallies them; a reading the
 * view yields twice is a duplicate. Copies the store keeps of a resent reading (a second chunk
 * holding it) are counted apart as `extra_copies`: stored, but never shown twice.
 */
export async function auditReadings(
  db: Db,
  acked: Map<string, SeqSet>,
  options: AuditOptions = {},
): Promise<AuditResult & WindowMisses & { extra_copies: number }> {
  const started = performance.now();
  const tally = new AuditTally(acked);
  const store = await openReadings(db);
  const chunks = { collection: rawChunks(db), engine: store.engine };
  const misses: WindowMisses = { window_missed: 0, window_missed_examples: [] };
  let read = 0;
  let extraCopies = 0;
  const until = Date.now() + 86_400_000;
  const { from, spanMs } = options.window ?? { from: 0, spanMs: 0 };
  const readDevice = async (device: string, span: number) => {
    const counts = new Map<number, number>();
    for await (const r of store.export(device, from, until, span)) {
      counts.set(r.seq, (counts.get(r.seq) ?? 0) + 1);
      if (++read % 50_000 === 0) options.onProgress?.(read);
    }
    return counts;
  };
  for (const [device, set] of acked) {
    if (set.size === 0) continue;
    let span = spanMs;
    let counts = await readDevice(device, span);
    const missing = options.window && span < MAX_CHUNK_SPAN_MS ? missingSeqs(set, counts, 5) : [];
    if (missing.length > 0) {
      const narrow = counts;
      span = MAX_CHUNK_SPAN_MS;
      counts = await readDevice(device, span);
      for (const seq of counts.keys()) if (set.has(seq) && !narrow.has(seq)) misses.window_missed++;
    }
    for (const [seq, count] of counts) tally.add({ device, seq, count });
    const copies = new Map<number, number>();
    const range = options.window ? idRange(device, from - span, until) : deviceRange(device);
    for await (const chunk of pageById(chunks, device, range, 1, 200)) {
      const seqs = chunkSeqs(chunk);
      for (const seq of seqs) {
        if (counts.has(seq)) copies.set(seq, (copies.get(seq) ?? 0) + 1);
        if (misses.window_missed_examples.length < 5 && missing.includes(seq)) {
          const lead = from - chunk.t0.getTime();
          misses.window_missed_examples.push(
            `${device}:${seq} in a chunk of ${seqs.length} from ${chunk.node} starting ${lead} ms before the window`,
          );
        }
      }
    }
    for (const count of copies.values()) extraCopies += count - 1;
  }
  const result = tally.result(Math.round(performance.now() - started));
  return { ...result, ...misses, extra_copies: extraCopies };
}

/** The first `limit` acked seqs of `set` that `counts` lacks. */
function missingSeqs(set: SeqSet, counts: Map<number, number>, limit: number): number[] {
  const out: number[] = [];
  for (const [lo, hi] of set.ranges()) {
    for (let seq = lo; seq <= hi && out.length < limit; seq++) if (!counts.has(seq)) out.push(seq);
  }
  return out;
}
