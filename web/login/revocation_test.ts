/**
 * Two app instances (two nodes) sharing one database, each with its own session cache fed by
 * reading the revocation count as startWebNode does: revocations made on one node are honoured
 * on the other as soon as it has read the count (startWebNode reads it every 250 ms and trusts
 * its cache for at most 1 s after a read).
 */
import assert from "node:assert/strict";
import type { Db } from "mongodb";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedUser, testApp } from "../_testing.ts";
import type { Authenticated } from "../context.ts";
import { AuthCache } from "./auth_cache.ts";
import { readRevocations } from "./revocations.ts";

function node(db: Db, nodeId: string) {
  const authCache = new AuthCache<Authenticated>({ now: Date.now });
  const app = testApp(db, { nodeId, authCache });
  const check = async () => authCache.observe(await readRevocations(db), Date.now());
  return { app, authCache, check };
}

const me = async (app: ReturnType<typeof testApp>, headers: Record<string, string>) => {
  const response = await app.request("/api/me", { headers });
  return response.status === 200 ? (await response.json()).role : response.status;
};
const send = (method: string, cookie: string, body?: unknown) => ({
  method,
  headers: { cookie, origin: ORIGIN, "content-type": "application/json" },
  body: body === undefined ? undefined : JSON.stringify(body),
});

Deno.test("a node answers from its session cache, and drops it when another node revokes", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const a = node(t.db, "ws0");
  const b = node(t.db, "ws1");
  const cookie = await apiLogin(a.app);
  await Promise.all([a.check(), b.check()]);
  assert.equal(await me(b.app, { cookie }), "admin");
  assert.equal(b.authCache.size, 1, "validated once, then cached");

  // Sign out everywhere on ws0: ws0 at once, ws1 once it has read the revocation count.
  const out = await a.app.request("/api/logout/everywhere", send("POST", cookie, {}));
  assert.equal(out.status, 200);
  assert.equal(await me(a.app, { cookie }), 401);
  assert.equal(await me(b.app, { cookie }), "admin", "ws1 has not read the count yet");
  await b.check();
  assert.equal(await me(b.app, { cookie }), 401);
});

Deno.test("role changes, disabling and token revocation reach the other node's cache", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const a = node(t.db, "ws0");
  const b = node(t.db, "ws1");
  const admin = await apiLogin(a.app);
  await a.app.request(
    "/api/users",
    send("POST", admin, { username: "olga", password: "olga password", role: "operator" }),
  );
  const olga = await apiLogin(a.app, { username: "olga", password: "olga password" });
  const { token } = await (await a.app.request("/api/tokens", send("POST", admin, { name: "ci" })))
    .json();
  const bearer = { authorization: `Bearer ${token}` };
  await b.check();
  assert.equal(await me(b.app, { cookie: olga }), "operator");
  assert.equal(await me(b.app, bearer), "admin");

  await a.app.request("/api/users/olga", send("PATCH", admin, { role: "viewer" }));
  await b.check();
  assert.equal(await me(b.app, { cookie: olga }), "viewer");

  await a.app.request("/api/users/olga", send("PATCH", admin, { disabled: true }));
  await b.check();
  assert.equal(await me(b.app, { cookie: olga }), 401);

  const { tokens } = await (await a.app.request("/api/tokens", { headers: { cookie: admin } }))
    .json();
  assert.equal(
    (await a.app.request(`/api/tokens/${tokens[0].id}`, send("DELETE", admin))).status,
    200,
  );
  await b.check();
  assert.equal(await me(b.app, bearer), 401);
  assert.equal(await me(b.app, { cookie: admin }), "admin", "others stay signed in");
});

Deno.test("without a fresh revocation check the cache is not used: every request reads the database", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const a = node(t.db, "ws0");
  const cookie = await apiLogin(a.app);
  assert.equal(await me(a.app, { cookie }), "admin");
  await t.db.collection("sessions").deleteMany({}); // behind everyone's back, no announcement
  assert.equal(await me(a.app, { cookie }), 401, "never checked: nothing was trusted");
});
