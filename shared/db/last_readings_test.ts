import assert from "node:assert/strict";
import { collections, type ReadingDoc } from "./collections.ts";
import { openTestDatabase } from "../testing/database.ts";
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
  const stored = await devices.find({ "last.seq": 5 }).toArray();
  assert.equal(stored.length, 250, "every device updated, none moved back to an older reading");
});

Deno.test("a device's last reading is the one with the highest seq, whichever node writes last", async () => {
  await using t = await openTestDatabase();
  const devices = collections(t.db).devices;
  const now = new Date();
  await devices.insertOne({
    _id: "moved",
    name: "moved",
    tokenHash: "h",
    enabled: true,
    createdAt: now,
    updatedAt: now,
  });
  const reading = (seq: number, node: string): ReadingDoc => ({
    device: "moved",
    seq,
    ts: new Date(now.getTime() + seq),
    metrics: { v: seq },
    receivedAt: now,
    node,
  });
  // The device moved from cs0 to cs1; cs0 flushes its older reading after cs1's newer one.
  await writeLastReadings(t.db, [reading(1_700_000_000_000_002, "cs1")]);
  await writeLastReadings(t.db, [reading(1_700_000_000_000_001, "cs0")]);
  let doc = await devices.findOne({ _id: "moved" });
  assert.deepEqual(doc?.last, {
    seq: 1_700_000_000_000_002,
    ts: new Date(now.getTime() + 1_700_000_000_000_002),
    metrics: { v: 1_700_000_000_000_002 },
    seen: now,
    node: "cs1",
  });
  await writeLastReadings(t.db, [reading(1_700_000_000_000_003, "cs0")]);
  doc = await devices.findOne({ _id: "moved" });
  assert.equal(doc?.last?.seq, 1_700_000_000_000_003);
  assert.equal(doc?.last?.node, "cs0");
});
