import assert from "node:assert/strict";
import { collections, connectDatabase, listNodes } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { eventually } from "./_test_device.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createHealthServer } from "./health_server.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { createCommServer } from "./server.ts";
import { createMongoStore } from "./store.ts";

Deno.test("healthz says whether the node can store now, and metrics count probes", async () => {
  await using t = await openTestDatabase();
  // A client of its own, so the test can cut this node's database path.
  const own = await connectDatabase(t.uri, {
    appName: "health-test",
    serverSelectionTimeoutMs: 500,
  });
  const store = createMongoStore(own.db);
  const server = createCommServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs0",
    logger: createMemoryLogger(),
    auth: createMongoDeviceAuthority(own.db),
    store,
  });
  const health = createHealthServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs0",
    server,
    store,
  });
  const base = `http://127.0.0.1:${health.addr.port}`;
  try {
    const up = await fetch(`${base}/healthz`);
    assert.equal(up.status, 200);
    assert.deepEqual(await up.json(), {
      ok: true,
      node: "cs0",
      db: "up",
      connections: 0,
      pending: 0,
    });

    (await Deno.connect({ hostname: "127.0.0.1", port: server.addr.port })).close();
    await eventually(() => server.stats.probes === 1);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /fleetmon_comm_probes_total\{node="cs0"\} 1/);
    assert.match(metrics, /fleetmon_comm_connections_total\{node="cs0"\} 1/);

    await own.close();
    const down = await fetch(`${base}/healthz`);
    assert.equal(down.status, 503);
    assert.equal((await down.json()).db, "down");
    assert.equal(await fetch(`${base}/nope`).then((r) => (r.body?.cancel(), r.status)), 404);
  } finally {
    await server.close();
    await health.close();
  }
});

Deno.test("a comm node writes its heartbeat with its counters every interval", async () => {
  await using t = await openTestDatabase();
  const stats = { connectionsActive: 3, connectionsTotal: 10, probes: 7, readingsAccepted: 5 };
  const heartbeat = startHeartbeat({
    db: t.db,
    node: "cs9",
    address: "127.0.0.1:7101",
    stats: {
      ...stats,
      readingsStored: 5,
      readingsRejected: { bad_token: 2 },
      dbWriteErrors: 0,
    } as never,
    intervalMs: 50,
    logger: createMemoryLogger(),
  });
  try {
    await eventually(async () => (await listNodes(t.db)).length === 1, 2_000, "a first heartbeat");
    const [node] = await listNodes(t.db);
    assert.equal(node._id, "cs9");
    assert.equal(node.kind, "comm");
    assert.equal(node.stats.connections, 3);
    assert.equal(node.stats.readingsRejected, 2);
    const first = node.heartbeatAt;
    await eventually(
      async () => {
        const again = await collections(t.db).nodes.findOne({ _id: "cs9" });
        return again!.heartbeatAt > first;
      },
      2_000,
      "a second heartbeat",
    );
  } finally {
    await heartbeat.stop();
  }
});
