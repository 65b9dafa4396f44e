/** What the web tier reads from the database, already shaped for the API. */
import type { Db } from "mongodb";
import { collections, listDevices, listNodes } from "@fleetmon/shared/db";
import { NotFoundError } from "./errors.ts";
import {
  type DeviceJson,
  deviceJson,
  type NodeJson,
  nodeJson,
  type ReadingJson,
  readingJson,
} from "./shapes.ts";

export async function getDevices(db: Db): Promise<DeviceJson[]> {
  return (await listDevices(db)).map(deviceJson);
}

export async function getDevice(db: Db, id: string): Promise<DeviceJson> {
  const doc = await collections(db).devices.findOne({ _id: id }, { projection: { tokenHash: 0 } });
  if (!doc) throw new NotFoundError(`Device "${id}" does not exist`);
  return deviceJson(doc);
}

export interface ReadingsPage {
  readings: ReadingJson[];
  /** Pass as `before` to get the next (older) page; null when this page is the last. */
  nextBefore: number | null;
}

/** A device's readings, newest (highest seq) first, optionally only those with seq < before. */
export async function getReadings(
  db: Db,
  device: string,
  query: { limit: number; before?: number },
): Promise<ReadingsPage> {
  const filter = query.before === undefined ? { device } : { device, seq: { $lt: query.before } };
  const docs = await collections(db).readings.find(filter).sort({ seq: -1 }).limit(query.limit)
    .toArray();
  const readings = docs.map(readingJson);
  const last = readings.at(-1);
  return { readings, nextBefore: readings.length === query.limit && last ? last.seq : null };
}

export async function getNodes(db: Db, now: number): Promise<NodeJson[]> {
  return (await listNodes(db)).map((doc) => nodeJson(doc, now));
}
