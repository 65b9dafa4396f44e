import assert from "node:assert/strict";
import { collections } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { createSession, deleteExpiredSessions, deleteSession, findSession } from "./sessions.ts";

const admin = { _id: "admin", role: "admin" } as const;

Deno.test("a session is found by its cookie value, and only its hash is stored", async () => {
  await using t = await openTestDatabase();
  const { id, doc } = await createSession(t.db, admin, new Date(1_000), 60_000);
  assert.match(id, /^fms_[A-Za-z0-9_-]{43}$/);
  assert.equal((await findSession(t.db, id, new Date(2_000)))?.user, "admin");
  const stored = await collections(t.db).sessions.find({}).toArray();
  assert.equal(stored.length, 1);
  assert.ok(!JSON.stringify(stored).includes(id), "the cookie value is never stored");
  assert.equal(stored[0]._id, doc._id);
  assert.equal(await findSession(t.db, "fms_" + "x".repeat(43), new Date(2_000)), null);
  assert.equal(await findSession(t.db, "garbage", new Date(2_000)), null);
});

Deno.test("an expired session is not found even before it is deleted", async () => {
  await using t = await openTestDatabase();
  const { id } = await createSession(t.db, admin, new Date(1_000), 60_000);
  assert.equal(await findSession(t.db, id, new Date(61_000)), null);
  assert.equal(await collections(t.db).sessions.countDocuments({}), 1);
});

Deno.test("deleteExpiredSessions removes expired sessions and keeps live ones", async () => {
  await using t = await openTestDatabase();
  await createSession(t.db, admin, new Date(0), 1_000);
  await createSession(t.db, admin, new Date(0), 2_000);
  const live = await createSession(t.db, admin, new Date(0), 10_000);
  assert.equal(await deleteExpiredSessions(t.db, new Date(2_000)), 2);
  assert.equal((await findSession(t.db, live.id, new Date(2_000)))?.user, "admin");
  await deleteSession(t.db, live.id);
  assert.equal(await findSession(t.db, live.id, new Date(2_000)), null);
});
