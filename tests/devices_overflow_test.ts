/**
 * The device library's bounded buffer with real processes: while no comm node is reachable
 * through lb(comm), a device keeps only its newest `bufferLimit` readings and reports the rest
 * as dropped ("overflow"); once a node is back, everything it kept arrives, and nothing it
 * dropped is in the database.
 */
import assert from "node:assert/strict";
import { storedReadings } from "@fleetmon/shared/testing";
import { createDeviceClient } from "@fleetmon/devices/lib";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { auditReadings, SeqSet } from "@fleetmon/devices/sim";
import { eventually, startDeviceStack } from "./_devices_stack.ts";

Deno.test("a device cut off from comm drops its oldest readings past the limit and delivers the rest", async () => {
  await using stack = await startDeviceStack();
  const [device] = await stack.registerDevices("of", 1);
  // Both comm nodes go away; lb(comm) is left with no backend to pass devices to.
  await Promise.all([stack.comm.cs0.stop(5_000), stack.comm.cs1.stop(5_000)]);

  const dropped: number[] = [];
  const reasons = new Set<string>();
  const acked = new SeqSet();
  const logger = createMemoryLogger();
  await using client = createDeviceClient({
    target: { hostname: "127.0.0.1", port: stack.lbPort },
    device: device.id,
    token: device.token,
    logger,
    bufferLimit: 100,
    backoff: { initialMs: 50, maxMs: 300, jitter: "full" },
    events: {
      onDropped: (readings, reason) => {
        reasons.add(reason);
        dropped.push(...readings.map((r) => r.seq));
      },
      onAcked: (seqs) => seqs.forEach((seq) => acked.add(seq)),
    },
  });
  const seqs = Array.from({ length: 250 }, (_, i) => client.send({ i }));
  assert.deepEqual(dropped, seqs.slice(0, 150), "the oldest 150 went, in order");
  assert.deepEqual([...reasons], ["overflow"]);
  assert.deepEqual(client.stats.dropped, { overflow: 150 });
  assert.equal(client.stats.buffered, 100);
  assert.ok(
    logger.lines.some((l) => l.msg === "buffer full: dropping the oldest readings"),
    "the overflow is logged",
  );
  assert.notEqual(client.state, "ready");

  // A comm node comes back on cs0's port; the LB's health check lets devices through again.
  await stack.restartComm("cs0");
  assert.equal(await client.drain(30_000), true, "everything kept is acked");
  assert.equal(client.node, "cs0");
  assert.equal(client.stats.acked, 100);
  assert.deepEqual([...acked.ranges()], [[seqs[150], seqs[249]]]);

  const audit = await auditReadings(stack.db, new Map([[device.id, acked]]));
  assert.equal(audit.lost_acked, 0);
  assert.equal(audit.duplicates, 0);
  const stored = (await storedReadings(stack.db, device.id)).length;
  assert.equal(stored, 100, "nothing dropped reached the database");
  await eventually(() => client.state === "ready", 5_000, "the client to be connected");
});
