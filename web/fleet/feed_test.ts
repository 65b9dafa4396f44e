import assert from "node:assert/strict";
import { appendDeviceChange, collections, registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { FleetFeed } from "./feed.ts";
import { FleetIndex } from "./index.ts";

const reading = (seq: number) => ({
  seq,
  ts: new Date(),
  seen: new Date(),
  metrics: { v: seq },
  node: "cs0",
});

Deno.test("the fleet feed applies changes in order and skips a number never written after the gap timeout", async () => {
  await using t = await openTestDatabase();
  await registerDevice(t.db, { id: "pump-1" });
  let now = 1_000_000;
  const index = new FleetIndex();
  const logger = createMemoryLogger("web");
  const feed = new FleetFeed({ db: t.db, index, logger, now: () => now, gapTimeoutMs: 5_000 });
  await feed.sync();
  assert.equal(index.get("pump-1")?.last, null);

  await appendDeviceChange(t.db, { last: [{ device: "pump-1", last: reading(1) }] });
  // A writer that took number N and died before inserting c:N:
  await t.db.collection("counters").updateOne({ _id: "device_changes" as never }, {
    $inc: { n: 1 },
  });
  await appendDeviceChange(t.db, { last: [{ device: "pump-1", last: reading(3) }] });
  await feed.sync();
  assert.equal(index.get("pump-1")?.last?.seq, 1, "stops at the gap for now");
  now += 6_000;
  await feed.sync();
  await feed.sync();
  assert.equal(index.get("pump-1")?.last?.seq, 3, "skips it after the timeout");

  // A device registered elsewhere reaches the index through {devices: [id]}.
  await registerDevice(t.db, { id: "pump-2" });
  await collections(t.db).devices.updateOne({ _id: "pump-2" }, { $set: { tags: ["new"] } });
  await appendDeviceChange(t.db, { devices: ["pump-2"] });
  await feed.sync();
  assert.deepEqual(index.get("pump-2")?.tags, ["new"]);
});
