import assert from "node:assert/strict";
import { openTestDatabase } from "../testing/database.ts";
import { listDevices, registerDevice, rotateDeviceToken, setDeviceEnabled } from "./devices.ts";
import { collections } from "./collections.ts";
import { sha256Hex } from "./tokens.ts";
import { countUsers, createUser, verifyUser } from "./users.ts";

Deno.test("a registered device's token is returned once and stored only as its hash", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-1", name: "Pump 1" });
  assert.match(token, /^fm_[A-Za-z0-9_-]{43}$/);
  const stored = await collections(t.db).devices.findOne({ _id: "dev-1" });
  assert.equal(stored?.tokenHash, await sha256Hex(token));
  assert.ok(!JSON.stringify(stored).includes(token));
  await assert.rejects(registerDevice(t.db, { id: "dev-1" }), /"dev-1" already exists/);
  await assert.rejects(registerDevice(t.db, { id: "$bad" }), /is not 1-64/);
});

Deno.test("disabling a device and rotating its token move updatedAt", async () => {
  await using t = await openTestDatabase();
  const { token, device } = await registerDevice(t.db, { id: "dev-2" }, new Date(0));
  await setDeviceEnabled(t.db, "dev-2", false);
  const rotated = await rotateDeviceToken(t.db, "dev-2");
  assert.notEqual(rotated, token);
  const [listed] = await listDevices(t.db);
  assert.equal(listed.enabled, false);
  assert.equal(listed.tokenHash, undefined, "lists never carry token hashes");
  assert.ok(listed.updatedAt > device.updatedAt);
  await assert.rejects(setDeviceEnabled(t.db, "nope", true), /"nope" does not exist/);
});

Deno.test("a user logs in with the right password only", async () => {
  await using t = await openTestDatabase();
  await createUser(t.db, { username: "admin", password: "correct horse" });
  assert.equal(await countUsers(t.db), 1);
  assert.equal((await verifyUser(t.db, "admin", "correct horse"))?._id, "admin");
  assert.equal(await verifyUser(t.db, "admin", "wrong horse"), null);
  assert.equal(await verifyUser(t.db, "nobody", "correct horse"), null);
  await assert.rejects(createUser(t.db, { username: "x", password: "short" }), /at least 8/);
});

Deno.test("device names are 1-100 printable characters without edge spaces", async () => {
  await using t = await openTestDatabase();
  await registerDevice(t.db, { id: "ok-1", name: "Pump 7 — Halle Süd" });
  const cases: [string, RegExp][] = [
    ["", /name must not be empty/],
    ["x".repeat(101), /name must be at most 100 characters/],
    ["evil\u0000name", /control or invisible/],
    ["bidi\u202Espoof", /control or invisible/],
    ["line\nbreak", /control or invisible/],
    [" padded", /must not start or end with spaces/],
  ];
  for (const [name, message] of cases) {
    await assert.rejects(
      registerDevice(t.db, { id: "bad-1", name }),
      message,
      JSON.stringify(name),
    );
  }
  assert.equal(await collections(t.db).devices.countDocuments({ _id: "bad-1" }), 0);
});
