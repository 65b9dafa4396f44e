import assert from "node:assert/strict";
import { collections, createUser, writeDeviceStatus } from "@fleetmon/shared/db";
import { openTestDatabase, writeTestReading } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedDevice, seedUser, testApp } from "./_testing.ts";

const ROW_KEYS = [
  "alerting",
  "connected",
  "enabled",
  "expectedIntervalMs",
  "group",
  "id",
  "lastMetrics",
  "lastNode",
  "lastSeen",
  "name",
  "status",
  "tags",
];

Deno.test("GET /api/devices pages the fleet in natural order with status and never a token", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const { token } = await seedDevice(t.db, "sim-10");
  for (const id of ["sim-2", "sim-1"]) await seedDevice(t.db, id);
  await writeTestReading(t.db, "sim-2", 1, { temp_c: 21 }, {
    node: "cs1",
    start: Date.now() - 1_000,
  });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const response = await app.request("/api/devices?limit=2", { headers: { cookie } });
  assert.equal(response.status, 200);
  const text = await response.text();
  const hash = (await collections(t.db).devices.findOne({ _id: "sim-10" }))!.tokenHash;
  assert.ok(!text.includes(hash) && !text.includes(token) && !text.includes("tokenHash"));
  const body = JSON.parse(text);
  assert.equal(body.total, 3);
  assert.deepEqual(body.devices.map((d: { id: string }) => d.id), ["sim-1", "sim-2"]);
  assert.deepEqual(Object.keys(body.devices[1]).sort(), ROW_KEYS);
  assert.equal(body.devices[0].status, "never");
  assert.equal(body.devices[1].status, "online");
  assert.equal(body.devices[1].lastNode, "cs1");
  assert.deepEqual(body.devices[1].lastMetrics, { temp_c: 21 });
  const next = await (await app.request("/api/devices?limit=2&offset=2", { headers: { cookie } }))
    .json();
  assert.deepEqual(next.devices.map((d: { id: string }) => d.id), ["sim-10"]);
});

Deno.test("GET /api/devices searches and filters by status, group and tag; bad queries are 400", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const post = (body: unknown) =>
    app.request("/api/devices", {
      method: "POST",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  assert.equal(
    (await post({ id: "pump-1", name: "Feed pump", group: "hall-3", tags: ["pump"] })).status,
    201,
  );
  assert.equal(
    (await post({ id: "pump-2", group: "hall-4", tags: ["pump", "spare"] })).status,
    201,
  );
  assert.equal((await post({ id: "boiler-1", name: "Boiler", group: "hall-3" })).status, 201);
  await writeTestReading(t.db, "boiler-1", 1, { temp_c: 80 }, { start: Date.now() - 1_000 });
  const ids = async (query: string) => {
    const response = await app.request(`/api/devices?${query}`, { headers: { cookie } });
    assert.equal(response.status, 200, query);
    return (await response.json()).devices.map((d: { id: string }) => d.id);
  };
  assert.deepEqual(await ids("q=PUMP"), ["pump-1", "pump-2"]);
  assert.deepEqual(await ids("q=feed"), ["pump-1"]);
  assert.deepEqual(await ids("group=hall-3"), ["boiler-1", "pump-1"]);
  assert.deepEqual(await ids("tag=spare"), ["pump-2"]);
  assert.deepEqual(await ids("status=online"), ["boiler-1"]);
  assert.deepEqual(await ids("status=never&group=hall-3"), ["pump-1"]);
  assert.deepEqual(await ids("sort=id&dir=desc"), ["pump-2", "pump-1", "boiler-1"]);
  assert.deepEqual(await ids("alerting=true"), []);
  const facets = (await (await app.request("/api/devices", { headers: { cookie } })).json()).facets;
  assert.deepEqual(facets.tags, [{ name: "pump", count: 2 }, { name: "spare", count: 1 }]);
  for (
    const bad of [
      "limit=0",
      "limit=201",
      "limit=0x10",
      "status=up",
      "sort=ip",
      "offset=-1",
      "limit=5&limit=6",
      "page=2",
    ]
  ) {
    const response = await app.request(`/api/devices?${bad}`, { headers: { cookie } });
    assert.equal(response.status, 400, bad);
  }
  assert.equal((await post({ id: "pump-1" })).status, 409, "an id taken is a conflict");
  assert.equal((await post({ id: "bad id!" })).status, 400);
  assert.equal((await post({ id: "x", tags: ["a\nb"] })).status, 400);
});

Deno.test("operators edit a device's name, group and tags; viewers cannot; other nodes see it through the feed", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await createUser(t.db, { username: "vera", password: "viewer-pass-1", role: "viewer" });
  await seedDevice(t.db, "pump-1");
  const ws0 = testApp(t.db);
  const ws1 = testApp(t.db, { nodeId: "ws1" });
  const admin = await apiLogin(ws0);
  const viewer = await apiLogin(ws0, { username: "vera", password: "viewer-pass-1" });
  // ws1 has loaded its index before the change, so only the feed can tell it.
  assert.equal(
    (await (await ws1.request("/api/devices", { headers: { cookie: admin } })).json()).total,
    1,
  );
  const patch = (cookie: string, body: unknown) =>
    ws0.request("/api/devices/pump-1", {
      method: "PATCH",
      headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  assert.equal((await patch(viewer, { group: "hall-9" })).status, 403);
  const edited = await patch(admin, {
    name: "Feed pump",
    group: "hall-9",
    tags: ["pump", "critical"],
  });
  assert.equal(edited.status, 200);
  assert.deepEqual((await edited.json()).tags, ["critical", "pump"]);
  await new Promise((resolve) => setTimeout(resolve, 600)); // past ws1's sync age
  const seen =
    await (await ws1.request("/api/devices?tag=critical", { headers: { cookie: admin } }))
      .json();
  assert.deepEqual(seen.devices.map((d: { group: string }) => d.group), ["hall-9"]);
  assert.equal((await patch(admin, { group: null })).status, 200);
  assert.equal((await patch(admin, { color: "red" })).status, 400, "unknown fields are refused");
  const missing = await ws0.request("/api/devices/nope", {
    method: "PATCH",
    headers: { cookie: admin, origin: ORIGIN, "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(missing.status, 404);
});

Deno.test("GET /api/overview counts devices by status and group, readings and nacks today", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "a-1", { count: 2, start: Date.now() - 3_000 });
  await seedDevice(t.db, "a-2");
  await writeDeviceStatus(t.db, {
    last: [],
    connections: [],
    readings: 5,
    nacks: { rate_limited: 3 },
  });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const response = await app.request("/api/overview", { headers: { cookie } });
  assert.equal(response.status, 200);
  const o = await response.json();
  assert.equal(o.devices.total, 2);
  assert.equal(o.devices.online, 1);
  assert.equal(o.devices.never, 1);
  assert.equal(o.readingsToday, 7);
  assert.deepEqual(o.nacksToday, { rate_limited: 3 });
  assert.deepEqual(o.devices.groups, [{ name: null, total: 2, online: 1, offline: 0 }]);
  assert.equal(o.alertsFiring, 0);
});

Deno.test("GET /api/devices/:id/connections lists connects and disconnects, newest first", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1");
  const at = Date.now();
  await writeDeviceStatus(t.db, {
    last: [],
    connections: [
      { device: "pump-1", node: "cs0", kind: "connect", at: new Date(at - 5000) },
      {
        device: "pump-1",
        node: "cs0",
        kind: "disconnect",
        at: new Date(at - 4000),
        reason: "drained",
      },
      { device: "pump-1", node: "cs1", kind: "connect", at: new Date(at - 3000) },
    ],
    readings: 0,
    nacks: {},
  });
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  const body = await (await app.request("/api/devices/pump-1/connections", { headers: { cookie } }))
    .json();
  assert.deepEqual(
    body.connections.map((e: { kind: string; node: string }) => `${e.kind}@${e.node}`),
    [
      "connect@cs1",
      "disconnect@cs0",
      "connect@cs0",
    ],
  );
  assert.equal(body.connections[1].reason, "drained");
  const row = (await (await app.request("/api/devices?q=pump-1", { headers: { cookie } })).json())
    .devices[0];
  assert.equal(row.connected, true);
  assert.equal(row.status, "online", "a device that just connected is online");
  assert.equal(
    (await app.request("/api/devices/nope/connections", { headers: { cookie } })).status,
    404,
  );
});

Deno.test("a rename follows the same device-name rule as registering: no bidi or control characters", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await seedDevice(t.db, "pump-1");
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  for (const bad of ["bidi\u202Espoof", "x".repeat(101), "tab\there"]) {
    const response = await app.request("/api/devices/pump-1", {
      method: "PATCH",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ name: bad }),
    });
    assert.equal(response.status, 400, JSON.stringify(bad));
  }
});
