/** Readings written straight into a test's database, the way comm stores them. */
import type { Db } from "mongodb";
import { collections, type ReadingDoc } from "../db/collections.ts";
import { writeDeviceStatus } from "../db/device_status.ts";

/**
 * Stores reading `seq` of `device` as comm does (the reading, then the device's status):
 * taken at `start` (a minute ago unless given) plus `seq` seconds, received 5 ms later.
 */
export async function writeTestReading(
  db: Db,
  device: string,
  seq: number,
  metrics: Record<string, number>,
  options: { node?: string; start?: number } = {},
): Promise<void> {
  const ts = new Date((options.start ?? Date.now() - 60_000) + seq * 1_000);
  const reading: ReadingDoc = {
    _id: `${device}:${seq}`,
    device,
    seq,
    ts,
    metrics,
    receivedAt: new Date(ts.getTime() + 5),
    node: options.node ?? "cs0",
  };
  await collections(db).readings.insertOne(reading);
  await writeDeviceStatus(db, { last: [reading], connections: [], readings: 1, nacks: {} });
}
