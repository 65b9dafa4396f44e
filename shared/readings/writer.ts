/**
 * Writing raw readings: one insert of chunk documents per batch. Chunk ids are deterministic
 * (device, first ts, first seq, a hash of the seqs), so a batch written again after a failure or
 * a timeout makes duplicate keys, which count as stored; a reading resent in a different batch may land in a
 * second chunk, and every read drops that copy (reader.ts).
 */
import type { Db, MongoBulkWriteError, WriteConcern } from "mongodb";
import { buildChunks, type Reading } from "./chunks.ts";
import { rawChunks } from "./collections.ts";

const DUPLICATE_KEY = 11000;

export interface WriteOptions {
  /** The comm node writing, kept on each chunk. */
  node: string;
  /** "majority" (default) or a number of members; see docs/data.md for what an ack promises. */
  writeConcern?: WriteConcern["w"];
  timeoutMs?: number;
  now?: () => number;
}

/** Stores `readings`; resolves once the database acknowledged them under the write concern. */
export async function writeReadings(
  db: Db,
  readings: Reading[],
  options: WriteOptions,
): Promise<void> {
  const now = new Date(options.now?.() ?? Date.now());
  const docs = buildChunks(readings, options.node, now);
  if (docs.length === 0) return;
  try {
    await rawChunks(db).insertMany(docs, {
      ordered: false,
      writeConcern: { w: options.writeConcern ?? "majority" },
      timeoutMS: options.timeoutMs ?? 10_000,
    });
  } catch (error) {
    if (!onlyDuplicates(error)) throw error;
  }
}

function onlyDuplicates(error: unknown): boolean {
  const writeErrors = (error as Partial<MongoBulkWriteError>).writeErrors;
  if (!writeErrors) return (error as { code?: number }).code === DUPLICATE_KEY;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every((e) => e.code === DUPLICATE_KEY) &&
    !(error as { writeConcernError?: unknown }).writeConcernError;
}
