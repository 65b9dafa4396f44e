/**
 * The device library while the database is away for a few seconds: frozen (SIGSTOP) or killed
 * and restarted on the same port and data. Readings wait unacknowledged (or are refused with
 * server_busy and resent); once the database is back everything is acked and stored once.
 */
import assert from "node:assert/strict";
import { auditReadings } from "@fleetmon/devices/sim";
import { createTestFleet, eventually, sleep, startDeviceStack, sum } from "./_devices_stack.ts";

const DEVICES = 10;

for (const outage of ["frozen", "restarted"] as const) {
  Deno.test(`readings sent while the database is ${outage} are all stored once it is back`, async () => {
    await using stack = await startDeviceStack();
    const fleet = createTestFleet(stack.lbPort, await stack.registerDevices("db", DEVICES));
    try {
      await eventually(
        () => fleet.clients.every((c) => c.state === "ready"),
        15_000,
        "every device connected",
      );
      let handed = 0;
      for (let i = 0; i < 10; i++) {
        handed += fleet.sendRound();
        await sleep(50);
      }
      if (outage === "frozen") stack.database.signal("SIGSTOP");
      else await stack.database.stop();
      let mostWaiting = 0;
      const outageEnds = Date.now() + 4_000;
      while (Date.now() < outageEnds) {
        handed += fleet.sendRound();
        await sleep(100);
        mostWaiting = Math.max(mostWaiting, sum(fleet.clients, (c) => c.stats.buffered));
      }
      const ackedDuringOutage = sum(fleet.clients, (c) => c.stats.acked);
      if (outage === "frozen") stack.database.signal("SIGCONT");
      else await stack.database.restart();
      assert.ok(mostWaiting >= 30 * DEVICES, `readings waited during the outage: ${mostWaiting}`);

      const drained = await Promise.all(fleet.clients.map((c) => c.drain(60_000)));
      assert.ok(drained.every(Boolean), "every reading acked once the database is back");
      assert.ok(sum(fleet.clients, (c) => c.stats.acked) > ackedDuringOutage);
      assert.equal(sum(fleet.clients, (c) => c.stats.acked), handed);
      assert.deepEqual(fleet.clients.flatMap((c) => Object.keys(c.stats.dropped)), []);
      const audit = await auditReadings(stack.db, fleet.acked);
      assert.equal(audit.checked, handed);
      assert.equal(audit.lost_acked, 0, `lost: ${audit.lost_examples}`);
      assert.equal(audit.duplicates, 0);
    } finally {
      await fleet.close();
    }
  });
}
