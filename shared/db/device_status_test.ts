import assert from "node:assert/strict";
import { collections, type ReadingDoc } from "./collections.ts";
import { openTestDatabase } from "../testing/database.ts";
import {
  CONNECTION_HISTORY_LENGTH,
  connectionHistory,
  dailyCounts,
  dayOf,
  latestDeviceChange,
  readConnectionHistory,
  readDeviceChange,
  writeDeviceStatus,
} from "./device_status.ts";

const at = new Date("2026-12-01T10:00:00Z");
const reading = (device: string, seq: number): ReadingDoc => ({
  device,
  seq,
  ts: at,
  metrics: { temp_c: seq },
  receivedAt: at,
  node: "cs0",
});

Deno.test("a status write sets last, keeps connection history and daily counts, and appends one numbered change", async () => {
  await using t = await openTestDatabase();
  await collections(t.db).devices.insertOne({
    _id: "pump-1",
    name: "pump-1",
    tokenHash: "h",
    enabled: true,
    createdAt: at,
    updatedAt: at,
  });
  const before = await latestDeviceChange(t.db);
  await writeDeviceStatus(t.db, {
    last: [reading("pump-1", 7)],
    connections: [{ device: "pump-1", node: "cs0", kind: "connect", at }],
    readings: 7,
    nacks: { rate_limited: 2 },
  }, at);
  await writeDeviceStatus(t.db, { last: [], connections: [], readings: 3, nacks: {} }, at);

  assert.equal((await collections(t.db).devices.findOne({ _id: "pump-1" }))?.last?.seq, 7);
  assert.deepEqual(await dailyCounts(t.db).findOne({ _id: dayOf(at) }), {
    _id: "2026-12-01",
    readings: 10,
    nacks: { rate_limited: 2 },
  });
  const n = await latestDeviceChange(t.db);
  assert.equal(n, before + 1, "a write with nothing for the feed appends nothing");
  const change = await readDeviceChange(t.db, n);
  assert.equal(change?.last?.[0].device, "pump-1");
  assert.equal(change?.last?.[0].last.metrics.temp_c, 7);
  assert.equal(change?.connections?.[0].kind, "connect");
  assert.equal(await readDeviceChange(t.db, n + 1), null);
});

Deno.test("a device's connection history keeps only the newest events", async () => {
  await using t = await openTestDatabase();
  const events = Array.from({ length: CONNECTION_HISTORY_LENGTH + 5 }, (_, i) => ({
    device: "pump-2",
    node: `cs${i % 2}`,
    kind: i % 2 === 0 ? "connect" as const : "disconnect" as const,
    at: new Date(at.getTime() + i * 1000),
  }));
  await writeDeviceStatus(t.db, {
    last: [],
    connections: events.slice(0, 10),
    readings: 0,
    nacks: {},
  });
  await writeDeviceStatus(t.db, {
    last: [],
    connections: events.slice(10),
    readings: 0,
    nacks: {},
  });
  const history = await readConnectionHistory(t.db, "pump-2");
  assert.equal(history.length, CONNECTION_HISTORY_LENGTH);
  assert.deepEqual(history.at(-1)?.at, events.at(-1)?.at);
  assert.deepEqual(history[0].at, events[5].at);
  const stored = await connectionHistory(t.db).findOne({ _id: "pump-2" });
  assert.equal(stored?.events.length, CONNECTION_HISTORY_LENGTH, "the stored list is trimmed");
});
