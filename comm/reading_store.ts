/**
 * Writes readings to MongoDB. A reading's `_id` is `${device}:${seq}`, so writing one that is
 * already stored fails with a duplicate-key error, which counts as stored: resends never make a
 * second copy, and are acknowledged again.
 */
import type { Db, MongoBulkWriteError } from "mongodb";
import { collections, type ReadingDoc } from "@fleetmon/shared/db";

const DUPLICATE_KEY = 11000;

export interface ReadingSink {
  write(docs: ReadingDoc[]): Promise<void>;
}

export function createMongoReadingSink(db: Db): ReadingSink {
  const readings = collections(db).readings;
  return {
    async write(docs) {
      try {
        await readings.insertMany(docs, { ordered: false });
      } catch (error) {
        if (!onlyDuplicates(error)) throw error;
      }
    },
  };
}

function onlyDuplicates(error: unknown): boolean {
  const writeErrors = (error as Partial<MongoBulkWriteError>).writeErrors;
  if (!writeErrors) return (error as { code?: number }).code === DUPLICATE_KEY;
  const list = Array.isArray(writeErrors) ? writeErrors : [writeErrors];
  return list.length > 0 && list.every((e) => e.code === DUPLICATE_KEY) &&
    !(error as { writeConcernError?: unknown }).writeConcernError;
}

/** A sink that stores nothing: for measuring comm's own path in benchmarks. */
export const nullSink: ReadingSink = { write: () => Promise.resolve() };
