/**
 * Where comm puts readings. A reading's `_id` is `${device}:${seq}`, so writing one that is
 * already stored fails with a duplicate-key error, which counts as stored: resends never make a
 * second copy, and are acknowledged again.
 */
import type { Db, MongoBulkWriteError } from "mongodb";
import type { ReadingDoc } from "@fleetmon/shared/db";
import { collections, writeLastReadings } from "@fleetmon/shared/db";

export interface CommStore {
  writeReadings(docs: ReadingDoc[]): Promise<void>;
  /** Each device's newest reading, written once a period for the dashboard. */
  writeLastReadings(docs: ReadingDoc[]): Promise<void>;
  /** True when the database answers a ping within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
}

const DUPLICATE_KEY = 11000;

/** A write that takes longer fails and is retried, so a frozen database cannot wedge ingest. */
const WRITE_TIMEOUT_MS = 10_000;

export function createMongoStore(db: Db): CommStore {
  const readings = collections(db).readings;
  return {
    async writeReadings(docs) {
      try {
        await readings.insertMany(docs, { ordered: false, timeoutMS: WRITE_TIMEOUT_MS });
      } catch (error) {
        if (!onlyDuplicates(error)) throw error;
      }
    },
    writeLastReadings: (docs) => writeLastReadings(db, docs),
    async ping(timeoutMs) {
      try {
        await db.command({ ping: 1 }, { timeoutMS: timeoutMs });
        return true;
      } catch {
        return false;
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

/** Stores nothing: for measuring comm's own path in benchmarks. */
export const nullStore: CommStore = {
  writeReadings: () => Promise.resolve(),
  writeLastReadings: () => Promise.resolve(),
  ping: () => Promise.resolve(true),
};
