/**
 * The benchmark's fleet: `count` devices written in bulk as registration writes them, spread over
 * groups and tags, most with a recent last reading (online), some stale (offline), some never seen.
 */
import type { Db } from "mongodb";
import { collections, type DeviceDoc } from "@fleetmon/shared/db";

export const GROUPS = ["plant-a", "plant-b", "plant-c", "lab"];
export const TAGS = ["boiler", "pump", "chiller", "meter", "valve"];

export function benchDevice(i: number, now: Date): DeviceDoc & Record<string, unknown> {
  const seen = i % 10 === 9
    ? undefined
    : new Date(now.getTime() - (i % 10 === 8 ? 3_600_000 : 2_000));
  return {
    _id: `bench-${i}`,
    name: `Bench device ${i}`,
    tokenHash: "0".repeat(64),
    enabled: true,
    createdAt: now,
    updatedAt: now,
    group: GROUPS[i % GROUPS.length],
    tags: [TAGS[i % TAGS.length], TAGS[(i * 7) % TAGS.length]].filter((t, j, a) =>
      a.indexOf(t) === j
    ),
    ...(seen && {
      last: {
        seq: 1,
        ts: seen,
        metrics: { temp_c: 20 + (i % 50), cpu_ratio: (i % 100) / 100, mem_used_bytes: 7.7e9 },
        seen,
        node: `cs${i % 2}`,
      },
    }),
  };
}

export async function seedFleet(db: Db, count: number): Promise<void> {
  const now = new Date();
  for (let i = 0; i < count; i += 1_000) {
    const docs = Array.from(
      { length: Math.min(1_000, count - i) },
      (_, j) => benchDevice(i + j, now),
    );
    await collections(db).devices.insertMany(docs);
  }
}
