import assert from "node:assert/strict";
import { listNodes } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { startHeartbeat } from "./heartbeat.ts";
import { createStats } from "./stats.ts";

Deno.test("the heartbeat upserts the web node's doc with its current counters", async () => {
  await using t = await openTestDatabase();
  const stats = createStats();
  stats.requests = 7;
  const node = {
    _id: "ws0",
    version: "0.1.0",
    address: "127.0.0.1:8101",
    host: "vm-ws0",
    pid: 1234,
    startedAt: new Date(1_000),
  };
  let clock = 5_000;
  const heartbeat = startHeartbeat({
    db: t.db,
    logger: createMemoryLogger(),
    node,
    stats,
    intervalMs: 10,
    now: () => clock,
  });
  const deadline = Date.now() + 5_000;
  let nodes = await listNodes(t.db);
  while (nodes.length === 0 && Date.now() < deadline) nodes = await listNodes(t.db);
  stats.requests = 9;
  clock = 6_000;
  while (nodes[0]?.stats.requests !== 9 && Date.now() < deadline) nodes = await listNodes(t.db);
  await heartbeat.stop();
  assert.equal(nodes.length, 1, "one doc per node, updated in place");
  assert.equal(nodes[0]._id, "ws0");
  assert.equal(nodes[0].kind, "web");
  assert.equal(nodes[0].address, "127.0.0.1:8101");
  assert.equal(nodes[0].stats.requests, 9);
  assert.ok(nodes[0].heartbeatAt.getTime() >= 5_000);
});
