import assert from "node:assert/strict";
import { collections, setDeviceEnabled, sha256Hex } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { ensureSimDevices, simDeviceIds } from "./register.ts";

Deno.test("sim devices are registered, then re-keyed and re-enabled on the next run", async () => {
  await using t = await openTestDatabase();
  const ids = simDeviceIds("sim", 3);
  assert.deepEqual(ids, ["sim-0", "sim-1", "sim-2"]);
  const first = await ensureSimDevices(t.db, ids);
  assert.deepEqual([first.created, first.rotated], [3, 0]);
  await setDeviceEnabled(t.db, "sim-1", false);

  const second = await ensureSimDevices(t.db, simDeviceIds("sim", 4));
  assert.deepEqual([second.created, second.rotated], [1, 3]);
  const stored = await collections(t.db).devices.find({}).sort({ _id: 1 }).toArray();
  assert.equal(stored.length, 4);
  for (const [i, doc] of stored.entries()) {
    assert.equal(doc.tokenHash, await sha256Hex(second.devices[i].token));
    assert.notEqual(doc.tokenHash, await sha256Hex(first.devices[i]?.token ?? ""));
    assert.equal(doc.enabled, true);
    assert.equal(doc.name, `Simulated ${doc._id}`);
  }
});

Deno.test("re-keying more devices than FerretDB has connections does not deadlock it", async () => {
  await using t = await openTestDatabase();
  const ids = simDeviceIds("many", 250);
  await ensureSimDevices(t.db, ids);
  const again = await ensureSimDevices(t.db, ids);
  assert.deepEqual([again.created, again.rotated], [0, 250]);
});
