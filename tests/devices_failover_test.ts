/**
 * The device library against real comm nodes behind a real lb(comm): a node dies (SIGKILL) or
 * drains (SIGTERM) mid-stream, devices reconnect through the LB to the other one, and every
 * acked reading is in the database exactly once.
 */
import assert from "node:assert/strict";
import { auditReadings } from "@fleetmon/devices/sim";
import { createTestFleet, eventually, sleep, startDeviceStack, sum } from "./_devices_stack.ts";

const DEVICES = 20;

for (const [how, signal] of [["killed", "SIGKILL"], ["stopped gracefully", "SIGTERM"]] as const) {
  Deno.test(`devices move to the other comm node when one is ${how} mid-stream, losing no acked reading`, async () => {
    await using stack = await startDeviceStack();
    const fleet = createTestFleet(stack.lbPort, await stack.registerDevices("fo", DEVICES));
    try {
      await eventually(
        () => fleet.clients.every((c) => c.state === "ready"),
        15_000,
        "every device connected",
      );
      const onCs0 = () => fleet.clients.filter((c) => c.node === "cs0").length;
      assert.ok(onCs0() > 0 && onCs0() < DEVICES, `round robin spread: ${onCs0()} on cs0`);
      let handed = 0;
      for (let i = 0; i < 20; i++) {
        handed += fleet.sendRound();
        await sleep(50);
      }
      const moving = onCs0();
      if (signal === "SIGKILL") stack.comm.cs0.child.kill("SIGKILL");
      else stack.comm.cs0.child.kill("SIGTERM");
      for (let i = 0; i < 40; i++) {
        handed += fleet.sendRound();
        await sleep(50);
      }
      await stack.comm.cs0.exited;
      const drained = await Promise.all(fleet.clients.map((c) => c.drain(30_000)));
      assert.ok(drained.every(Boolean), "every reading acked after the failover");
      assert.equal(onCs0(), 0, "nobody is left on the dead node");
      assert.ok(fleet.clients.every((c) => c.node === "cs1"));
      assert.equal(sum(fleet.clients, (c) => c.stats.connects), DEVICES + moving);
      assert.equal(sum(fleet.clients, (c) => c.stats.acked), handed, "every reading acked once");
      assert.deepEqual(fleet.clients.flatMap((c) => Object.keys(c.stats.dropped)), []);
      // Resends are expected either way: readings in flight when the node closes are resent
      // elsewhere, and the audit below shows none of them was stored twice.
      const audit = await auditReadings(stack.db, fleet.acked);
      assert.equal(audit.checked, handed);
      assert.equal(audit.lost_acked, 0, `lost: ${audit.lost_examples}`);
      assert.equal(audit.duplicates, 0);
    } finally {
      await fleet.close();
    }
  });
}
