/**
 * Where comm puts readings: through `@fleetmon/shared/readings`, as chunk documents, one insert
 * per batch (docs/data.md). A batch written again after a failure makes duplicate keys, which
 * count as stored; a resend stored in a second chunk is read back once. Acks follow the write
 * concern ("majority" unless configured).
 */
import type { Db, MongoBulkWriteError, WriteConcern } from "mongodb";
import type { DeviceStatusUpdate, ReadingDoc } from "@fleetmon/shared/db";
import { writeDeviceStatus } from "@fleetmon/shared/db";
import { openReadings, type Readings } from "@fleetmon/shared/readings";

export interface CommStore {
  writeReadings(docs: ReadingDoc[]): Promise<void>;
  /**
   * Once a period, for the dashboard: each device's newest reading, connects and disconnects,
   * readings stored and nacks (shared/db/device_status.ts).
   */
  writeDeviceStatus(update: DeviceStatusUpdate): Promise<void>;
  /** True when the database answers a ping within `timeoutMs`. */
  ping(timeoutMs: number): Promise<boolean>;
  /** Recomputes the rollups of the minutes this node wrote (all of them with `all`). */
  rollUp(all?: boolean): Promise<number>;
}

export interface MongoStoreOptions {
  node?: string;
  writeConcern?: WriteConcern["w"];
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

export function createMongoStore(db: Db, options: MongoStoreOptions = {}): CommStore {
  let opened: Promise<Readings> | undefined;
  const readings = () =>
    opened ??= openReadings(db, options).catch((error) => {
      opened = undefined; // ask again next time: the database may be down now
      throw error;
    });
  return {
    async writeReadings(docs) {
      const store = await readings();
      await store.write(
        docs.map((d) => ({
          device: d.device,
          seq: d.seq,
          ts: d.ts.getTime(),
          metrics: d.metrics,
        })),
        docs[0]?.node,
      );
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
    async rollUp(all = false) {
      return (await readings()).rollUp({ all });
    },
  };
}

/** Stores nothing: for measuring comm's own path in benchmarks. */
export const nullStore: CommStore = {
  writeReadings: () => Promise.resolve(),
  writeDeviceStatus: () => Promise.resolve(),
  ping: () => Promise.resolve(true),
  rollUp: () => Promise.resolve(0),
};
