/**
 * Makes sure the simulated devices exist, each with a fresh token: registered when new, given a
 * new token (and enabled) when they exist from an earlier run — tokens are shown only once, so
 * the old ones are unknown.
 *
 * FerretDB 1.24 (SQLite) keeps each matched statement's pooled SQLite connection until its update
 * command ends (matched upserts even longer), and deadlocks once the update commands running at
 * the same time — ours and comm's — hold all 100. So: new devices are inserted, existing ones
 * updated without upsert, 10 statements per command.
 */
import type { AnyBulkWriteOperation, Db } from "mongodb";
import { collections, type DeviceDoc, generateSecret, sha256Hex } from "@fleetmon/shared/db";

export interface SimDevice {
  id: string;
  token: string;
}

const STATEMENTS_PER_COMMAND = 10;

export function simDeviceIds(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
}

export async function ensureSimDevices(
  db: Db,
  ids: string[],
  now = new Date(),
): Promise<{ devices: SimDevice[]; created: number; rotated: number }> {
  const devicesCollection = collections(db).devices;
  const devices: SimDevice[] = [];
  let created = 0;
  let rotated = 0;
  for (let i = 0; i < ids.length; i += STATEMENTS_PER_COMMAND) {
    const batch = await Promise.all(
      ids.slice(i, i + STATEMENTS_PER_COMMAND).map(async (id) => {
        const token = generateSecret("fm_");
        return { id, token, tokenHash: await sha256Hex(token) };
      }),
    );
    // One lookup by exact `_id` each: FerretDB scans the whole collection for `$in`.
    const found = await Promise.all(
      batch.map((d) => devicesCollection.findOne({ _id: d.id }, { projection: { _id: 1 } })),
    );
    const existing = new Set(found.flatMap((d) => (d ? [d._id] : [])));
    const fresh = batch.filter((d) => !existing.has(d.id));
    const known = batch.filter((d) => existing.has(d.id));
    if (fresh.length > 0) {
      await devicesCollection.insertMany(
        fresh.map(({ id, tokenHash }): DeviceDoc => ({
          _id: id,
          name: `Simulated ${id}`,
          tokenHash,
          enabled: true,
          createdAt: now,
          updatedAt: now,
        })),
        { ordered: false },
      );
      created += fresh.length;
    }
    if (known.length > 0) {
      const result = await devicesCollection.bulkWrite(
        known.map(({ id, tokenHash }): AnyBulkWriteOperation<DeviceDoc> => ({
          updateOne: {
            filter: { _id: id },
            update: { $set: { tokenHash, enabled: true, updatedAt: now } },
          },
        })),
        { ordered: false },
      );
      rotated += result.matchedCount;
    }
    devices.push(...batch.map(({ id, token }) => ({ id, token })));
  }
  return { devices, created, rotated };
}
