import assert from "node:assert/strict";
import { collections, type ReadingDoc } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { writeLastReadings } from "./last_readings.ts";

Deno.test("last readings of many devices are written by several nodes at once without deadlocking FerretDB", async () => {
  await using t = await openTestDatabase();
  const devices = collections(t.db).devices;
  const ids = Array.from({ length: 250 }, (_, i) => `d-${i}`);
  const now = new Date();
  await devices.insertMany(ids.map((id) => ({
    _id: id,
    name: id,
    tokenHash: "h",
    enabled: true,
    createdAt: now,
    updatedAt: now,
  })));
  const reading = (device: string, seq: number): ReadingDoc => ({
    _id: `${device}:${seq}`,
    device,
    seq,
    ts: now,
    metrics: { v: seq },
    receivedAt: now,
    node: "cs0",
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("writeLastReadings did not finish in 20 s")), 20_000);
  });
  try {
    // Three writers at once, as cs0, cs1 and another node flushing together.
    const thirds = [0, 1, 2].map((k) => ids.filter((_, i) => i % 3 === k));
    await Promise.race([
      Promise.all(thirds.map((part) => writeLastReadings(t.db, part.map((id) => reading(id, 5))))),
      deadline,
    ]);
    await Promise.race([writeLastReadings(t.db, ids.map((id) => reading(id, 3))), deadline]);
  } finally {
    clearTimeout(timer);
  }
  const stored = await devices.find({ lastSeq: 5 }).toArray();
  assert.equal(stored.length, 250, "every device updated, none moved back to an older reading");
});
