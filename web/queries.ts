/** What the web tier reads from the database, already shaped for the API. */
import type { Db } from "mongodb";
import { collections, listDevices, listNodes } from "@fleetmon/shared/db";
import { NotFoundError } from "./errors.ts";
import { type DeviceJson, deviceJson, type NodeJson, nodeJson } from "./shapes.ts";

export async function getDevices(db: Db): Promise<DeviceJson[]> {
  return (await listDevices(db)).map(deviceJson);
}

export async function getDevice(db: Db, id: string): Promise<DeviceJson> {
  const doc = await collections(db).devices.findOne({ _id: id }, { projection: { tokenHash: 0 } });
  if (!doc) throw new NotFoundError(`Device "${id}" does not exist`);
  return deviceJson(doc);
}

export async function getNodes(db: Db, now: number): Promise<NodeJson[]> {
  return (await listNodes(db)).map((doc) => nodeJson(doc, now));
}
