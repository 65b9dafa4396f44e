/**
 * Each device's status as comm sees it — newest reading, connects and disconnects — and the
 * change feed web nodes follow to keep their in-memory fleet index current (web/fleet/).
 *
 * Why a feed: FerretDB answers only `{_id: value}` from an index, so a web node that asked
 * `devices` for "what changed since t" would scan all 10,000 devices every time. Instead every
 * status write also inserts one small document `c:N` into `device_changes`, N from one counter
 * (`$inc` on `{_id: "device_changes"}` in `counters`), and readers fetch `c:N+1`, `c:N+2`, …
 * by exact `_id`. On MongoDB the same works unchanged; a change stream could replace it there.
 */
import type { AnyBulkWriteOperation, Db } from "mongodb";
import type { LastReading, ReadingDoc } from "./collections.ts";
import { writeLastReadings } from "./last_readings.ts";

export interface ConnectionEvent {
  device: string;
  node: string;
  kind: "connect" | "disconnect";
  at: Date;
  /** Why a session ended (a nack or close code), when known. */
  reason?: string;
}

export interface DeviceChangeDoc {
  /** `c:${n}` */
  _id: string;
  n: number;
  at: Date;
  /** Newest readings, as written to each device's `last`. */
  last?: { device: string; last: LastReading }[];
  connections?: ConnectionEvent[];
  /** Devices whose document changed otherwise (registered, edited, removed): re-read them. */
  devices?: string[];
}

/** One document per day (UTC, `YYYY-MM-DD`): readings stored and nacks by code. */
export interface DailyCountsDoc {
  _id: string;
  readings: number;
  nacks: Record<string, number>;
}

/** The newest connection events of one device, newest last. */
export interface ConnectionHistoryDoc {
  _id: string;
  events: ConnectionEvent[];
  /** The newest event, also on its own so a reader can load who is connected cheaply. */
  latest?: ConnectionEvent;
}

export const CONNECTION_HISTORY_LENGTH = 50;
const UPDATES_PER_COMMAND = 10; // see last_readings.ts

const feed = (db: Db) => db.collection<DeviceChangeDoc>("device_changes");
const counters = (db: Db) => db.collection<{ _id: string; n: number }>("counters");
export const dailyCounts = (db: Db) => db.collection<DailyCountsDoc>("daily_counts");
export const connectionHistory = (db: Db) =>
  db.collection<ConnectionHistoryDoc>("device_connections");

export const dayOf = (at: Date) => at.toISOString().slice(0, 10);

/** Appends one change to the feed; returns its number. */
export async function appendDeviceChange(
  db: Db,
  change: Omit<DeviceChangeDoc, "_id" | "n" | "at">,
  at = new Date(),
): Promise<number> {
  const counter = await counters(db).findOneAndUpdate(
    { _id: "device_changes" },
    { $inc: { n: 1 } },
    { upsert: true, returnDocument: "after" },
  );
  const n = counter!.n;
  await feed(db).insertOne({ _id: `c:${n}`, n, at, ...change });
  return n;
}

/** The number of the newest change handed out (0 when none). */
export async function latestDeviceChange(db: Db): Promise<number> {
  return (await counters(db).findOne({ _id: "device_changes" }))?.n ?? 0;
}

export function readDeviceChange(db: Db, n: number): Promise<DeviceChangeDoc | null> {
  return feed(db).findOne({ _id: `c:${n}` });
}

/** Drops changes older than `before` (the feed stays small, so the scan is cheap). */
export async function deleteDeviceChangesBefore(db: Db, before: Date): Promise<number> {
  return (await feed(db).deleteMany({ at: { $lt: before } })).deletedCount;
}

export interface DeviceStatusUpdate {
  /** Each device's newest reading since the last update. */
  last: ReadingDoc[];
  connections: ConnectionEvent[];
  /** Readings stored and nacks by code since the last update. */
  readings: number;
  nacks: Record<string, number>;
}

/** comm's once-a-second write: `last` on each device, connection history, daily counts, feed. */
export async function writeDeviceStatus(
  db: Db,
  update: DeviceStatusUpdate,
  now = new Date(),
): Promise<void> {
  await writeLastReadings(db, update.last);
  await writeConnectionHistory(db, update.connections);
  if (update.readings > 0 || Object.keys(update.nacks).length > 0) {
    const inc: Record<string, number> = { readings: update.readings };
    for (const [code, count] of Object.entries(update.nacks)) inc[`nacks.${code}`] = count;
    await dailyCounts(db).updateOne({ _id: dayOf(now) }, { $inc: inc }, { upsert: true });
  }
  if (update.last.length === 0 && update.connections.length === 0) return;
  await appendDeviceChange(db, {
    ...(update.last.length > 0 && {
      last: update.last.map((doc) => ({
        device: doc.device,
        last: {
          seq: doc.seq,
          ts: doc.ts,
          metrics: doc.metrics,
          seen: doc.receivedAt,
          node: doc.node,
        },
      })),
    }),
    ...(update.connections.length > 0 && { connections: update.connections }),
  }, now);
}

async function writeConnectionHistory(db: Db, events: ConnectionEvent[]): Promise<void> {
  const byDevice = Map.groupBy(events, (event) => event.device);
  const ops = [...byDevice].map((
    [device, list],
  ): AnyBulkWriteOperation<ConnectionHistoryDoc> => ({
    updateOne: {
      filter: { _id: device },
      update: {
        $push: { events: { $each: list, $slice: -CONNECTION_HISTORY_LENGTH } },
        $set: { latest: list.at(-1)! },
      },
      upsert: true,
    },
  }));
  for (let i = 0; i < ops.length; i += UPDATES_PER_COMMAND) {
    await connectionHistory(db).bulkWrite(ops.slice(i, i + UPDATES_PER_COMMAND), {
      ordered: false,
    });
  }
}

/**
 * The newest CONNECTION_HISTORY_LENGTH events of a device, oldest first. FerretDB 1.24 ignores
 * `$slice` in `$push`, so a reader that finds a longer list trims it (MongoDB never needs to).
 */
export async function readConnectionHistory(db: Db, device: string): Promise<ConnectionEvent[]> {
  const events = (await connectionHistory(db).findOne({ _id: device }))?.events ?? [];
  if (events.length <= CONNECTION_HISTORY_LENGTH) return events;
  const kept = events.slice(-CONNECTION_HISTORY_LENGTH);
  // Only if nothing was pushed since the read (else the next reader trims it).
  await connectionHistory(db).updateOne({ _id: device, events: { $size: events.length } }, {
    $set: { events: kept },
  });
  return kept;
}
