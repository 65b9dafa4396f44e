import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { openReadings, type Reading } from "@fleetmon/shared/readings";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, seedUser, testApp } from "./_testing.ts";

const NOW = Date.UTC(2026, 10, 1, 12, 0, 0);

/** `minutes` minutes of one reading a second ending at NOW, without the 10 minutes in the middle. */
async function seedHistory(db: Parameters<typeof openReadings>[0], minutes: number) {
  await registerDevice(db, { id: "pump" });
  const store = await openReadings(db, { node: "cs0" });
  const start = NOW - minutes * 60_000;
  const all: Reading[] = [];
  for (let s = 0; s < minutes * 60; s++) {
    const ts = start + s * 1_000;
    const quiet = ts >= NOW - (minutes / 2 + 5) * 60_000 && ts < NOW - (minutes / 2 - 5) * 60_000;
    if (!quiet) all.push({ device: "pump", seq: s + 1, ts, metrics: { cpu: s % 100, temp: 20 } });
  }
  for (let i = 0; i < all.length; i += 1_000) await store.write(all.slice(i, i + 1_000));
  await store.rollUp({ all: true });
  return all;
}

Deno.test("GET series answers each range from the tier that fits it, with the gap left open", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedHistory(t.db, 60);
  const app = testApp(t.db, { now: () => NOW });
  const cookie = await apiLogin(app);
  const series = async (query: string) => {
    const response = await app.request(`/api/devices/pump/series${query}`, { headers: { cookie } });
    assert.equal(response.status, 200, query);
    return await response.json();
  };
  const lastHour = await series(""); // the default: the hour before now
  assert.equal(lastHour.tier, "raw");
  assert.ok(lastHour.t.length <= 1_000);
  assert.deepEqual(Object.keys(lastHour.metrics), ["cpu", "temp"]);
  assert.equal(lastHour.gaps.length, 1, JSON.stringify(lastHour.gaps));
  const day = await series(`?from=${NOW - 86_400_000}&to=${NOW}`);
  assert.equal(day.tier, "1m");
  assert.equal(day.gaps.length, 1);
  const iso = await series(`?from=${new Date(NOW - 30 * 86_400_000).toISOString()}`);
  assert.equal(iso.tier, "1h");
  for (
    const bad of [`?from=${NOW}&to=${NOW - 1}`, "?from=yesterday", "?step=5", `?from=0&to=${NOW}`]
  ) {
    const response = await app.request(`/api/devices/pump/series${bad}`, { headers: { cookie } });
    assert.equal(response.status, 400, bad);
    assert.match((await response.json()).error.message, /^Invalid query: /, bad);
  }
  const missing = await app.request("/api/devices/nope/series", { headers: { cookie } });
  assert.equal(missing.status, 404);
});

Deno.test("GET export streams every reading once, as NDJSON or CSV", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const all = await seedHistory(t.db, 30);
  // A resend stored in a chunk of its own is exported once all the same.
  await (await openReadings(t.db, { node: "cs1" })).write([all[7]]);
  const app = testApp(t.db, { now: () => NOW });
  const cookie = await apiLogin(app);
  const from = NOW - 3_600_000;
  const ndjson = await app.request(`/api/devices/pump/export?from=${from}`, {
    headers: { cookie },
  });
  assert.equal(ndjson.status, 200);
  assert.match(ndjson.headers.get("content-type")!, /application\/x-ndjson/);
  const lines = (await ndjson.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.seq), all.map((r) => r.seq));
  assert.deepEqual(lines[0], { device: "pump", seq: 1, ts: all[0].ts, metrics: all[0].metrics });
  const csv = await app.request(`/api/devices/pump/export?from=${from}&format=csv`, {
    headers: { cookie },
  });
  assert.match(csv.headers.get("content-disposition")!, /attachment; filename="pump.csv"/);
  const rows = (await csv.text()).trim().split("\n");
  assert.equal(rows[0], "device,seq,ts,metric,value");
  assert.equal(rows.length, 1 + 2 * all.length);
  assert.equal(rows[1], `pump,1,${new Date(all[0].ts).toISOString()},cpu,0`);
});
