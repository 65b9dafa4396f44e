import assert from "node:assert/strict";
import { collections } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedUser, testApp } from "../_testing.ts";

const send = (
  method: string,
  cookie: string,
  body?: unknown,
  extra: Record<string, string> = {},
) => ({
  method,
  headers: { cookie, origin: ORIGIN, "content-type": "application/json", ...extra },
  body: body === undefined ? undefined : JSON.stringify(body),
});

async function setup() {
  const t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const admin = await apiLogin(app);
  return { t, app, admin };
}

Deno.test("an admin adds a viewer, who can read but not change anything", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  const added = await app.request(
    "/api/users",
    send("POST", admin, { username: "vera", password: "vera's password", role: "viewer" }),
  );
  assert.equal(added.status, 201);
  assert.equal((await added.json()).role, "viewer");
  const vera = await apiLogin(app, { username: "vera", password: "vera's password" });
  assert.equal((await app.request("/api/devices", { headers: { cookie: vera } })).status, 200);
  const refused = await app.request(
    "/api/users",
    send("POST", vera, { username: "mallory", password: "mallory password", role: "admin" }),
  );
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.message, "This needs the admin role; you are viewer");
  assert.equal(await collections(t.db).users.countDocuments({ _id: "mallory" }), 0);
});

Deno.test("a role change applies to live sessions; disabling ends them", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  await app.request(
    "/api/users",
    send("POST", admin, { username: "olga", password: "olga password", role: "admin" }),
  );
  const olga = await apiLogin(app, { username: "olga", password: "olga password" });
  assert.equal((await app.request("/api/users", { headers: { cookie: olga } })).status, 200);
  await app.request("/api/users/olga", send("PATCH", admin, { role: "operator" }));
  assert.equal((await app.request("/api/users", { headers: { cookie: olga } })).status, 403);
  await app.request("/api/users/olga", send("PATCH", admin, { disabled: true }));
  assert.equal((await app.request("/api/me", { headers: { cookie: olga } })).status, 401);
  const login = await app.request(
    "/api/login",
    send("POST", "", { username: "olga", password: "olga password" }),
  );
  assert.equal(login.status, 401);
});

Deno.test("the last enabled admin cannot be demoted or disabled", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  for (const change of [{ role: "viewer" }, { disabled: true }]) {
    const response = await app.request("/api/users/admin", send("PATCH", admin, change));
    assert.equal(response.status, 400);
    assert.match((await response.json()).error.message, /only enabled admin/);
  }
});

Deno.test("an API token is shown once, stored hashed, works as Bearer, and stops when revoked", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  const made = await app.request(
    "/api/tokens",
    send("POST", admin, { name: "export", role: "viewer", days: 7 }),
  );
  assert.equal(made.status, 201);
  const { token, id, role } = await made.json();
  assert.match(token, /^fmt_[A-Za-z0-9_-]{43}$/);
  assert.equal(role, "viewer");
  assert.ok(
    !JSON.stringify(await collections(t.db).users.db.collection("api_tokens").find().toArray())
      .includes(token),
  );
  const listed = await (await app.request("/api/tokens", { headers: { cookie: admin } })).json();
  assert.ok(!JSON.stringify(listed).includes(token), "never listed again");

  const bearer = { authorization: `Bearer ${token}` };
  const me = await app.request("/api/me", { headers: bearer });
  assert.equal(me.status, 200);
  assert.deepEqual([(await me.json()).username, "viewer"], ["admin", "viewer"]);
  const write = await app.request("/api/users", {
    method: "POST",
    headers: { ...bearer, "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(write.status, 403, "a viewer token cannot change anything");

  assert.equal((await app.request(`/api/tokens/${id}`, send("DELETE", admin))).status, 200);
  const revoked = await app.request("/api/me", { headers: bearer });
  assert.equal(revoked.status, 401);
  assert.equal((await revoked.json()).error.code, "invalid_token");
});

Deno.test("a token expires, cannot outrank its maker, and dies with its user", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const app = testApp(t.db, { now: () => clock });
  const admin = await apiLogin(app);
  const { token } =
    await (await app.request("/api/tokens", send("POST", admin, { name: "ci", days: 1 }))).json();
  assert.equal(
    (await app.request("/api/me", { headers: { authorization: `Bearer ${token}` } })).status,
    200,
  );
  clock += 86_400_000 + 1;
  assert.equal(
    (await app.request("/api/me", { headers: { authorization: `Bearer ${token}` } })).status,
    401,
  );
  assert.equal(
    (await app.request("/api/me", { headers: { authorization: "Bearer nonsense" } })).status,
    401,
  );
});

Deno.test("every change is in the audit log with who, what, when and from where", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  await app.request(
    "/api/users",
    send("POST", admin, { username: "vera", password: "vera password", role: "viewer" }, {
      "user-agent": "test-agent",
    }),
  );
  await app.request("/api/users/vera", send("PATCH", admin, { role: "operator" }));
  const { token } = await (await app.request("/api/tokens", send("POST", admin, { name: "ci" })))
    .json();
  await app.request("/api/users/vera", {
    method: "PATCH",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ disabled: true }),
  });
  const page = await (await app.request("/api/audit?limit=10", { headers: { cookie: admin } }))
    .json();
  const summary = page.entries.map((e: Record<string, unknown>) =>
    `${e.actor} ${e.via} ${e.action} ${e.target}`
  );
  assert.deepEqual(summary.map((s: string) => s.replace(/tok_\S+/, "tok")), [
    "admin token user.disable vera",
    "admin session token.create tok",
    "admin session user.role vera",
    "admin session user.add vera",
  ]);
  const added = page.entries[3];
  assert.equal(added.userAgent, "test-agent");
  assert.equal(added.node, "ws0");
  assert.equal(typeof added.client, "string");
  assert.ok(Date.parse(added.at) > 0);
  assert.deepEqual(page.entries[2].detail, { from: "viewer", to: "operator" });
  const bad = await app.request("/api/audit?limit=0x10", { headers: { cookie: admin } });
  assert.equal(bad.status, 400);
});

Deno.test("registering and editing a device are audited with what changed", async () => {
  const { t, app, admin } = await setup();
  await using _ = t;
  const added = await app.request(
    "/api/devices",
    send("POST", admin, { id: "pump-1", name: "Pump 1", group: "plant-a", tags: ["pump"] }),
  );
  assert.equal(added.status, 201, await added.clone().text());
  const changed = await app.request(
    "/api/devices/pump-1",
    send("PATCH", admin, { name: "Pump One", group: "plant-a", tags: ["pump", "north"] }),
  );
  assert.equal(changed.status, 200, await changed.clone().text());
  const refused = await app.request("/api/devices/nope", send("PATCH", admin, { name: "x" }));
  assert.equal(refused.status, 404);
  const { entries } = await (await app.request("/api/audit", { headers: { cookie: admin } }))
    .json();
  assert.deepEqual(
    entries.map((e: Record<string, unknown>) => [e.actor, e.via, e.action, e.target, e.detail]),
    [
      ["admin", "session", "device.edit", "pump-1", {
        name: { from: "Pump 1", to: "Pump One" },
        tags: { from: ["pump"], to: ["north", "pump"] },
      }],
      ["admin", "session", "device.register", "pump-1", {
        name: "Pump 1",
        group: "plant-a",
        tags: ["pump"],
      }],
    ],
    "one entry per change that happened, with from and to; the refused edit is not there",
  );
  assert.equal(entries[0].node, "ws0");
  assert.equal(typeof entries[0].client, "string");
});

Deno.test("a change made through a route without entries of its own is audited with its route and target", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  // A route added later by anyone: the middleware audits it without it doing anything.
  app.post("/api/widgets/:id", (c) => c.json({ ok: true }));
  app.post("/api/widgets/:id/fail", (c) => c.json({ ok: false }, 409));
  const admin = await apiLogin(app);
  assert.equal((await app.request("/api/widgets/w-1", send("POST", admin, {}))).status, 200);
  assert.equal((await app.request("/api/widgets/w-2/fail", send("POST", admin, {}))).status, 409);
  const { entries } = await (await app.request("/api/audit", { headers: { cookie: admin } }))
    .json();
  assert.deepEqual(
    entries.map((e: Record<string, unknown>) => [e.actor, e.action, e.target]),
    [["admin", "POST /api/widgets/:id", "w-1"]],
    "only the change that happened",
  );
});
