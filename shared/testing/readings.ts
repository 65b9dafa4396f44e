/** Readings written straight into a test's database, the way comm stores them, and read back. */
import type { Db } from "mongodb";
import type { ReadingDoc } from "../db/collections.ts";
import { writeDeviceStatus } from "../db/device_status.ts";
import { openReadings, type StoredReading } from "../readings/mod.ts";

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
    device,
    seq,
    ts,
    metrics,
    receivedAt: new Date(ts.getTime() + 5),
    node: options.node ?? "cs0",
  };
  const node = options.node ?? "cs0";
  const store = await openReadings(db, { node, now: () => ts.getTime() + 5 });
  await store.write([{ device, seq, ts: ts.getTime(), metrics }]);
  await writeDeviceStatus(db, { last: [reading], connections: [], readings: 1, nacks: {} });
}

/** Every stored reading of `device`, each (device, seq) once, oldest first. */
export async function storedReadings(db: Db, device: string): Promise<StoredReading[]> {
  return (await openReadings(db)).range(device, 0, Date.now() + 86_400_000);
}
