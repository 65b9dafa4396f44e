/**
 * The buffer file: an append-only journal of what the unacked buffer did, so that a device that
 * restarts resends what was never acknowledged and keeps its seqs increasing. One JSON object a
 * line:
 *
 *   {"s":41}                                  the last seq handed out (first line after compaction)
 *   {"r":42,"ts":1764000000000,"m":{"cpu":1}} a reading was buffered
 *   {"a":40,"to":42}                          readings 40…42 were acknowledged
 *   {"x":43}                                  reading 43 was refused or dropped
 *
 * Lines are written with one write(2) each, so a killed process loses nothing it wrote; a torn
 * last line (power loss) is ignored on replay. The file is rewritten as a snapshot once it holds
 * many more lines than live readings.
 */
import type { BufferedReading } from "./unacked_buffer.ts";

export interface JournalState {
  /** Readings still unacknowledged, in seq order. */
  readings: BufferedReading[];
  /** The highest seq ever written; 0 for a new file. */
  lastSeq: number;
  /** Lines read, and lines that could not be understood (skipped). */
  lines: number;
  skipped: number;
}

/** Rebuilds the buffer's state from a journal's text. Pure. */
export function replayJournal(text: string): JournalState {
  const live = new Map<number, BufferedReading>();
  let lastSeq = 0;
  let lines = 0;
  let skipped = 0;
  const all = text.split("\n");
  // Without its newline the last line may be torn: it was never completely written.
  if (all[all.length - 1] !== "") all[all.length - 1] = "";
  for (const line of all) {
    if (line === "") continue;
    lines++;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    if (isSeq(record.r) && isSeq(record.ts) && isMetrics(record.m)) {
      live.set(record.r, { seq: record.r, ts: record.ts, metrics: record.m });
      lastSeq = Math.max(lastSeq, record.r);
    } else if (isSeq(record.a) && isSeq(record.to)) {
      if (record.to - record.a < live.size) {
        for (let seq = record.a; seq <= record.to; seq++) live.delete(seq);
      } else {
        for (const seq of [...live.keys()]) {
          if (seq >= record.a && seq <= record.to) live.delete(seq);
        }
      }
    } else if (isSeq(record.x)) live.delete(record.x);
    else if (isSeq(record.s)) lastSeq = Math.max(lastSeq, record.s);
    else skipped++;
  }
  const readings = [...live.values()].sort((a, b) => a.seq - b.seq);
  return { readings, lastSeq, lines, skipped };
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isMetrics(value: unknown): value is Record<string, number> {
  return value !== null && typeof value === "object" && !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === "number");
}

const encoder = new TextEncoder();

export class FileJournal {
  readonly path: string;
  #file: Deno.FsFile;
  #lines: number;

  private constructor(path: string, file: Deno.FsFile, lines: number) {
    this.path = path;
    this.#file = file;
    this.#lines = lines;
  }

  /** Opens (or creates) the journal at `path` and returns what it holds. */
  static open(path: string): { journal: FileJournal; state: JournalState } {
    let text = "";
    try {
      text = Deno.readTextFileSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const state = replayJournal(text);
    // Start from a clean snapshot: drops a torn last line and what is already acknowledged.
    const journal = new FileJournal(path, FileJournal.#writeSnapshot(path, state), 0);
    journal.#lines = state.readings.length + 1;
    return { journal, state };
  }

  added(reading: BufferedReading): void {
    this.#append({ r: reading.seq, ts: reading.ts, m: reading.metrics });
  }

  acked(from: number, to: number): void {
    this.#append({ a: from, to });
  }

  removed(seq: number): void {
    this.#append({ x: seq });
  }

  /** Lines in the file now. */
  get lines(): number {
    return this.#lines;
  }

  /** Rewrites the file as a snapshot when it holds far more lines than `liveCount` readings. */
  compactIfLarge(readings: () => Iterable<BufferedReading>, liveCount: number, lastSeq: number) {
    if (this.#lines < 1_000 || this.#lines < 4 * liveCount) return;
    this.#file.close();
    const state = { readings: [...readings()], lastSeq, lines: 0, skipped: 0 };
    this.#file = FileJournal.#writeSnapshot(this.path, state);
    this.#lines = state.readings.length + 1;
  }

  close(): void {
    this.#file.close();
  }

  #append(record: Record<string, unknown>): void {
    writeAll(this.#file, encoder.encode(JSON.stringify(record) + "\n"));
    this.#lines++;
  }

  /** Writes a snapshot beside `path`, renames it over, and returns it open for appending. */
  static #writeSnapshot(path: string, state: JournalState): Deno.FsFile {
    const temporary = `${path}.tmp`;
    const lines = [
      JSON.stringify({ s: state.lastSeq }),
      ...state.readings.map((r) => JSON.stringify({ r: r.seq, ts: r.ts, m: r.metrics })),
    ];
    const file = Deno.openSync(temporary, { write: true, create: true, truncate: true });
    try {
      writeAll(file, encoder.encode(lines.join("\n") + "\n"));
      file.syncDataSync();
    } finally {
      file.close();
    }
    Deno.renameSync(temporary, path);
    return Deno.openSync(path, { append: true });
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let offset = 0;
  while (offset < bytes.length) offset += file.writeSync(bytes.subarray(offset));
}
