/**
 * Where comm puts readings. A reading's `_id` is `${device}:${seq}`, so writing one that is
 * already stored fails with a duplicate-key error, which counts as stored: resends never make a
 * second copy, and are acknowledged again.
 */
import type { Db, MongoBulkWriteError } from "mongodb";
import type { DeviceStatusUpdate, ReadingDoc } from "@fleetmon/shared/db";
import { collections, writeDeviceStatus } from "@fleetmon/shared/db";

export interface CommStore {
  writeReadings(docs: ReadingDoc[]): Promise<void>;
  /**
   * Once a period, for the dashboard: each device's newest reading, connects and disconnects,
   * readings stored and nacks (shared/db/device_status.ts).
   */
  writeDeviceStatus(update: DeviceStatusUpdate): Promise<void>;
  /** True when the database answers a ping within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
}

const DUPLICATE_KEY = 11000;

/**
 * Server error codes that say the document itself is unacceptable, so writing it again can never
 * succeed: BadValue (FerretDB's "key must not contain '.'"), FailedToParse, TypeMismatch,
 * DollarPrefixedFieldName, InvalidDBRef, EmptyFieldName, DottedFieldName,
 * DocumentValidationFailure, KeyTooLong, BSONObjectTooLarge.
 */
const PERMANENT_CODES = new Set([2, 9, 14, 52, 55, 56, 57, 121, 17280, 10334]);

/**
 * True when a failed write can never succeed as it is: the database refused a document (not a
 * timeout, a lost connection, an election or a write concern that was not met), or the driver
 * could not encode it. Batcher splits such a batch to find the documents at fault.
 */
export function isPermanentWriteError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "BSONError" || error.name === "BSONVersionError") return true;
  if ((error as { writeConcernError?: unknown }).writeConcernError) return false;
  const writeErrors = (error as Partial<MongoBulkWriteError>).writeErrors;
  const list = writeErrors ? (Array.isArray(writeErrors) ? writeErrors : [writeErrors]) : [error];
  const codes = list.map((e) => (e as { code?: unknown }).code).filter((c) => c !== DUPLICATE_KEY);
  return codes.length > 0 && codes.every((c) => typeof c === "number" && PERMANENT_CODES.has(c));
}

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
    writeDeviceStatus: (update) => writeDeviceStatus(db, update),
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
  writeDeviceStatus: () => Promise.resolve(),
  ping: () => Promise.resolve(true),
};
