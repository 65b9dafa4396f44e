import assert from "node:assert/strict";
import { writeHeartbeat } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, seedDevice, seedUser, testApp } from "./_testing.ts";

const DEVICE_KEYS = [
  "createdAt",
  "enabled",
  "id",
  "lastMetrics",
  "lastNode",
  "lastSeen",
  "lastSeq",
  "lastTs",
  "name",
];
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

Deno.test("GET /api/devices/:id answers one device, 404 for an unknown one, 400 for a bad id", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "a:b.c", { count: 1 });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const found = await app.request("/api/devices/a%3Ab.c", { headers: { cookie } });
  assert.equal(found.status, 200);
  const device = await found.json();
  assert.deepEqual(Object.keys(device).sort(), DEVICE_KEYS);
  assert.equal(device.id, "a:b.c");

  const missing = await app.request("/api/devices/nope", { headers: { cookie } });
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), {
    error: { code: "not_found", message: 'Device "nope" does not exist' },
  });
  const bad = await app.request("/api/devices/%24where", { headers: { cookie } });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /^Invalid device id: must be 1-64 characters/);
});

Deno.test("GET /api/devices/:id/readings pages newest first with limit and before", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1", { count: 5, node: "cs0" });
  await seedDevice(t.db, "pump-2", { count: 2 });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const get = async (query: string) => {
    const response = await app.request(`/api/devices/pump-1/readings${query}`, {
      headers: { cookie },
    });
    return { status: response.status, body: await response.json() };
  };
  const first = await get("?limit=2");
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.readings.map((r: { seq: number }) => r.seq), [5, 4]);
  assert.equal(first.body.nextBefore, Date.parse(first.body.readings[1].ts), "paged by time");
  const reading = first.body.readings[0];
  assert.deepEqual(Object.keys(reading).sort(), [
    "device",
    "metrics",
    "node",
    "receivedAt",
    "seq",
    "ts",
  ]);
  assert.equal(reading.device, "pump-1");
  assert.equal(reading.node, "cs0");
  assert.deepEqual(reading.metrics, { cpu: 0.05, temp: 25 });
  assert.match(reading.ts, ISO);
  assert.match(reading.receivedAt, ISO);

  const second = await get(`?limit=2&before=${first.body.nextBefore}`);
  assert.deepEqual(second.body.readings.map((r: { seq: number }) => r.seq), [3, 2]);
  const last = await get(`?limit=2&before=${second.body.nextBefore}`);
  assert.deepEqual(last.body, { readings: [last.body.readings[0]], nextBefore: null });
  assert.equal(last.body.readings[0].seq, 1);
  const all = await get("?limit=1000");
  assert.equal(all.body.readings.length, 5, "only this device's readings");
  assert.equal((await get("")).body.readings.length, 5, "limit defaults to 100");
});

Deno.test("a bad readings query is 400 with a clear message, and unknown parameters are refused", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1", { count: 1 });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const cases: [string, RegExp][] = [
    ["?limit=1001", /^Invalid query: limit: Too big: expected number to be <=1000$/],
    ["?limit=0", /^Invalid query: limit: Too small: expected number to be >=1$/],
    ["?limit=abc", /^Invalid query: limit: /],
    ["?limit=1.5", /^Invalid query: limit: /],
    ["?before=-3", /^Invalid query: before: /],
    ["?limit=10&sort=asc", /^Invalid query: Unrecognized key: "sort"$/],
  ];
  for (const [query, message] of cases) {
    const response = await app.request(`/api/devices/pump-1/readings${query}`, {
      headers: { cookie },
    });
    assert.equal(response.status, 400, query);
    const body = await response.json();
    assert.equal(body.error.code, "invalid_request", query);
    assert.match(body.error.message, message, query);
  }
  const extra = await app.request("/api/devices?page=2", { headers: { cookie } });
  assert.equal(extra.status, 400);
  const unknownDevice = await app.request("/api/devices/nope/readings", { headers: { cookie } });
  assert.equal(unknownDevice.status, 404);
});

Deno.test("GET /api/nodes shows heartbeats with alive computed from the clock", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const now = Date.parse("2026-01-01T00:00:00Z");
  const base = { version: "0.1.0", host: "vm", pid: 1, startedAt: new Date(now - 3_600_000) };
  await writeHeartbeat(t.db, {
    _id: "cs0",
    kind: "comm",
    address: "127.0.0.1:7001",
    heartbeatAt: new Date(now - 2_000),
    stats: { connections: 3, readingsAccepted: 42 },
    ...base,
  });
  await writeHeartbeat(t.db, {
    _id: "ws1",
    kind: "web",
    address: "127.0.0.1:8102",
    heartbeatAt: new Date(now - 60_000),
    stats: { requests: 9 },
    ...base,
  });
  const app = testApp(t.db, { now: () => now });
  const cookie = await apiLogin(app);
  const { nodes } = await (await app.request("/api/nodes", { headers: { cookie } })).json();
  assert.deepEqual(nodes, [
    {
      id: "cs0",
      kind: "comm",
      version: "0.1.0",
      address: "127.0.0.1:7001",
      host: "vm",
      pid: 1,
      startedAt: "2025-12-31T23:00:00.000Z",
      heartbeatAt: "2025-12-31T23:59:58.000Z",
      alive: true,
      stats: { connections: 3, readingsAccepted: 42 },
    },
    {
      id: "ws1",
      kind: "web",
      version: "0.1.0",
      address: "127.0.0.1:8102",
      host: "vm",
      pid: 1,
      startedAt: "2025-12-31T23:00:00.000Z",
      heartbeatAt: "2025-12-31T23:59:00.000Z",
      alive: false,
      stats: { requests: 9 },
    },
  ]);
});

Deno.test("every API route needs a session and says so in JSON", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db);
  for (
    const path of [
      "/api/me",
      "/api/devices",
      "/api/devices/x",
      "/api/devices/x/readings",
      "/api/nodes",
      "/api/stream/devices",
      "/api/nothing",
    ]
  ) {
    const response = await app.request(path);
    assert.equal(response.status, 401, path);
    assert.equal((await response.json()).error.code, "unauthenticated", path);
  }
});

Deno.test("an unknown API path is 404 JSON once signed in", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const response = await app.request("/api/nothing", { headers: { cookie } });
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    error: { code: "not_found", message: "Nothing at /api/nothing" },
  });
});
