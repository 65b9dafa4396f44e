import assert from "node:assert/strict";
import { openTestDatabase, testServerIsFerretDB } from "@fleetmon/shared/testing";
import { countedIn, recordCommands } from "./_test_helpers.ts";
import {
  openReadings,
  RAW_COLLECTION as RAW,
  rawChunks,
  type Reading,
  rollupDocs,
  rollups,
} from "./mod.ts";

const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);

function readings(device: string, from: number, to: number, stepMs = 1_000, t0 = T0): Reading[] {
  const out: Reading[] = [];
  for (let seq = from; seq <= to; seq++) {
    out.push({ device, seq, ts: t0 + (seq - 1) * stepMs, metrics: { cpu: seq, mem: 2 * seq } });
  }
  return out;
}

Deno.test("a reading resent in another batch is stored again but read back once, everywhere", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  await store.write(readings("d1", 1, 50));
  await store.write([...readings("d1", 40, 60), ...readings("d2", 1, 10)]); // 40-50 again
  await store.write(readings("d1", 1, 50)); // the first batch replayed: same chunks
  assert.ok(await rawChunks(t.db).countDocuments({}) >= 3);

  const all = await store.range("d1", T0, T0 + 3600_000);
  assert.deepEqual(all.map((r) => r.seq), Array.from({ length: 60 }, (_, i) => i + 1));
  assert.deepEqual(all[9].metrics, { cpu: 10, mem: 20 });
  const exported: number[] = [];
  for await (const r of store.export("d1", T0, T0 + 3600_000)) exported.push(r.seq);
  assert.deepEqual(exported, all.map((r) => r.seq));
  const latest = await store.latest("d1", 15);
  assert.deepEqual(latest.map((r) => r.seq), Array.from({ length: 15 }, (_, i) => 60 - i));
  const page2 = await store.latest("d1", 15, latest.at(-1)!.ts);
  assert.deepEqual(page2.map((r) => r.seq), Array.from({ length: 15 }, (_, i) => 45 - i));
  assert.deepEqual((await store.range("d2", T0, T0 + 3600_000)).map((r) => r.seq).length, 10);

  await store.rollUp({ all: true });
  const series = await store.series("d1", T0, T0 + 2 * 3600_000); // two hours: the 1m tier
  assert.equal(series.tier, "1m");
  const counted = series.t.reduce((sum, _t, i) => {
    const avg = series.metrics.cpu.avg[i];
    return avg === null ? sum : sum + 1;
  }, 0);
  assert.ok(counted >= 1);
  assert.equal(await countedIn(t.db, "1m", "d1"), 60, "every reading counted once per minute");
  assert.equal(await countedIn(t.db, "1h", "d1"), 60, "and once per hour");
  await store.write(readings("d1", 1, 60)); // a replay of everything, rolled up again
  await store.rollUp({ all: true });
  assert.equal(await countedIn(t.db, "1m", "d1"), 60);
  assert.equal(await countedIn(t.db, "1h", "d1"), 60);
});

Deno.test("a resend grouped with a new reading is not taken for the chunk stored before", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs1" });
  await store.write(readings("d", 5, 5)); // cs1 stores 5, then dies before acking it
  await store.write(readings("d", 5, 6), "cs0"); // the device resends 5 with 6 to cs0
  assert.deepEqual((await store.latest("d", 10)).map((r) => r.seq), [6, 5]);
  assert.equal(await rawChunks(t.db).countDocuments({}), 2);
});

Deno.test("latest and range find readings in overlapping chunks and readings older than the page", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  // A device that was offline resends old readings later, next to new ones.
  await store.write(readings("d", 100, 110));
  await store.write([...readings("d", 1, 5), ...readings("d", 111, 112)]);
  const latest = await store.latest("d", 3);
  assert.deepEqual(latest.map((r) => r.seq), [112, 111, 110]);
  const oldest = await store.range("d", T0, T0 + 10_000);
  assert.deepEqual(oldest.map((r) => r.seq), [1, 2, 3, 4, 5]);
  assert.deepEqual(await store.latest("nobody", 5), []);
});

Deno.test("series picks the tier for the range and keeps a gap as a gap", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  // 10 minutes at one a second, 20 minutes of silence, 10 minutes more.
  await store.write(readings("d", 1, 600));
  await store.write(readings("d", 1801, 2400));
  const raw = await store.series("d", T0, T0 + 2400_000);
  assert.equal(raw.tier, "raw");
  assert.ok(raw.t.length <= 1_000, `${raw.t.length} points`);
  assert.equal(raw.gaps.length, 1);
  const [gapFrom, gapTo] = raw.gaps[0];
  assert.ok(
    gapFrom >= T0 + 600_000 - raw.stepMs && gapTo <= T0 + 1800_000,
    JSON.stringify(raw.gaps),
  );
  const nullAt = raw.t.indexOf(gapFrom);
  assert.equal(raw.metrics.cpu.avg[nullAt], null);

  await store.rollUp({ all: true });
  const day = await store.series("d", T0 - 12 * 3600_000, T0 + 12 * 3600_000);
  assert.equal(day.tier, "1m");
  assert.ok(day.t.length <= 1_000);
  assert.equal(day.gaps.length, 1);
  const month = await store.series("d", T0 - 30 * 86400_000, T0 + 3600_000);
  assert.equal(month.tier, "1h");
  assert.equal(month.metrics.cpu.max.filter((v) => v !== null).at(-1), 2400);
});

Deno.test("retention deletes only what a tier no longer keeps", async () => {
  await using t = await openTestDatabase();
  let now = T0;
  const store = await openReadings(t.db, { node: "cs0", now: () => now });
  await store.write(readings("d", 1, 10, 3600_000)); // ten hours, one an hour
  await store.rollUp({ all: true });
  now = T0 + 10 * 3600_000;
  const swept = await store.sweep(["d"], {
    rawMs: 5 * 3600_000,
    minuteMs: 7 * 3600_000,
    hourMs: 1e12,
  });
  assert.deepEqual(swept.deleted, { raw: 5, "1m": 3, "1h": 0 });
  assert.deepEqual((await store.range("d", 0, now)).map((r) => r.seq), [6, 7, 8, 9, 10]);
});

Deno.test("a retention sweep stops before the next device once its signal aborts", async () => {
  await using t = await openTestDatabase();
  const now = T0 + 10 * 3600_000;
  const store = await openReadings(t.db, { node: "cs0", now: () => now });
  await store.write([...readings("a", 1, 2, 3600_000), ...readings("b", 1, 2, 3600_000)]);
  const stop = new AbortController();
  const policy = { rawMs: 1, minuteMs: 1e12, hourMs: 1e12 };
  stop.abort();
  const none = await store.sweep(["a", "b"], policy, stop.signal);
  assert.deepEqual([none.devices, none.deleted.raw, none.stopped], [0, 0, true]);
  const all = await store.sweep(["a", "b"], policy);
  assert.deepEqual([all.devices, all.deleted.raw, all.stopped], [2, 4, false]);
});

Deno.test("every query of every read and sweep is an indexed _id range on FerretDB", {
  ignore: !testServerIsFerretDB(),
}, async () => {
  await using t = await openTestDatabase();
  await using recorded = await recordCommands(t.uri);
  const store = await openReadings(recorded.db, { node: "cs0" });
  for (const d of ["a", "b", "c"]) await store.write(readings(d, 1, 300, 1_000));
  recorded.sent.length = 0;
  // What comm's rollups, the web routes, the export, the simulator's audit and the sweeps ask.
  await store.rollUp({ all: true });
  await store.latest("b", 100);
  await store.latest("b", 20, T0 + 100_000); // the next page
  await store.range("b", T0, T0 + 60_000);
  for await (const _ of store.export("b", T0, T0 + 3600_000)) { /* drain */ }
  for (const span of [900_000, 86_400_000, 30 * 86_400_000]) {
    await store.series("b", T0 + 300_000 - span, T0 + 300_000); // raw, 1m, 1h
  }
  await store.sweep(["b"], { rawMs: 0, minuteMs: 0, hourMs: 0 });
  const queries = recorded.sent.filter((c) => c.name === "find" || c.name === "delete");
  assert.deepEqual(
    [...new Set(queries.map((c) => `${c.name} ${c.collection}`))].sort(),
    [
      "delete readings_1h",
      "delete readings_1m",
      "delete readings_raw",
      "find readings_1h",
      "find readings_1m",
      "find readings_raw",
    ],
  );
  for (const { name, collection, filter, sort, limit } of queries) {
    const what = `${name} ${collection} ${JSON.stringify(filter)}`;
    let cursor = t.db.collection(collection).find(filter ?? {});
    if (sort) cursor = cursor.sort(sort);
    if (limit) cursor = cursor.limit(limit);
    const explained = await cursor.explain() as Record<string, unknown>;
    const plan = JSON.stringify(explained.queryPlanner);
    if (Object.keys(filter ?? {}).join() !== "_id") {
      // A rollup bucket read by its exact _id (and d, which FerretDB checks on that one row).
      assert.equal(typeof filter?._id, "string", what);
      assert.match(plan, /SEARCH \S+ USING INDEX \S+__id_ \(<expr>=\?\)/, `${what}: ${plan}`);
      continue;
    }
    assert.match(
      plan,
      /SEARCH \S+ USING INDEX \S+__id_ \(<expr>>\? AND <expr><\?\)/,
      `${what}: ${plan}`,
    );
    assert.equal(explained.filterPushdown, true, what);
    if (sort) assert.equal(explained.sortPushdown, true, what);
    if (limit) assert.equal(explained.limitPushdown, true, what);
  }
});

Deno.test("raw readings are written with write concern majority unless configured", async () => {
  await using t = await openTestDatabase();
  await using recorded = await recordCommands(t.uri);
  const batch = readings("d", 1, 10);
  await (await openReadings(recorded.db, { node: "cs0" })).write(batch);
  await (await openReadings(recorded.db, { node: "cs0", writeConcern: 1 })).write(batch);
  const inserts = recorded.sent.filter((c) => c.name === "insert" && c.collection === RAW);
  assert.deepEqual(inserts.map((c) => c.writeConcern?.w), ["majority", 1]);
});

Deno.test("bulk-built rollup documents are the ones recomputing from raw makes", async () => {
  await using t = await openTestDatabase();
  const store = await openReadings(t.db, { node: "cs0" });
  const all = readings("d", 1, 200, 45_000); // 2.5 hours, one every 45 s
  await store.write(all);
  await store.rollUp({ all: true });
  for (const tier of ["1m", "1h"] as const) {
    const recomputed = await rollups(t.db, tier).find({ d: "d" }).sort({ _id: 1 }).toArray();
    assert.deepEqual(rollupDocs("d", all, tier), recomputed, tier);
  }
});
