import assert from "node:assert/strict";
import { collections, createUser } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedUser, testApp, USER } from "../_testing.ts";
import { DEVICE_COOKIE } from "./trusted_devices.ts";
import { createInlineHasher } from "./password_hasher.ts";

const login = (body: unknown, cookie?: string) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(cookie ? { cookie } : {}) },
  body: JSON.stringify(body),
});
const cookieOf = (response: Response, name: string) =>
  response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`))?.split(";")[0];

Deno.test("a stranger's failed sign-ins do not lock out the owner's browser", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const first = await app.request("/api/login", login(USER));
  const device = cookieOf(first, DEVICE_COOKIE)!;
  assert.match(device, /^__Host-fm_device=fmd_[A-Za-z0-9_-]{43}$/);
  assert.match(
    first.headers.getSetCookie().join("\n"),
    /__Host-fm_device=.*HttpOnly; Secure; SameSite=Strict/,
  );

  for (let i = 0; i < 8; i++) {
    const status = (await app.request("/api/login", login({ ...USER, password: "guess" }))).status;
    assert.equal(status, i < 5 ? 401 : 429);
  }
  assert.equal((await app.request("/api/login", login(USER))).status, 429, "a new browser waits");
  const owner = await app.request("/api/login", login(USER, device));
  assert.equal(owner.status, 200, "the owner's browser signs in with the right password");
  assert.equal((await app.request("/api/login", login(USER))).status, 429, "strangers still wait");
});

Deno.test("a trusted device that fails five times is trusted no more", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const device = cookieOf(await app.request("/api/login", login(USER)), DEVICE_COOKIE)!;
  for (let i = 0; i < 5; i++) {
    const response = await app.request("/api/login", login({ ...USER, password: "bad" }, device));
    assert.equal(response.status, 401);
  }
  assert.equal(
    await collections(t.db).loginFailures.countDocuments({}),
    0,
    "the account is untouched",
  );
  for (let i = 0; i < 5; i++) {
    assert.equal(
      (await app.request("/api/login", login({ ...USER, password: "bad" }, device))).status,
      401,
    );
  }
  assert.equal((await app.request("/api/login", login(USER, device))).status, 429);
});

Deno.test("a device cookie of another user does not lift the lock", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  await collections(t.db).users.insertOne({
    _id: "eve",
    passwordHash: (await collections(t.db).users.findOne({ _id: "admin" }))!.passwordHash,
    role: "viewer",
    createdAt: new Date(),
  });
  const eves = cookieOf(
    await app.request("/api/login", login({ ...USER, username: "eve" })),
    DEVICE_COOKIE,
  )!;
  for (let i = 0; i < 5; i++) await app.request("/api/login", login({ ...USER, password: "bad" }));
  assert.equal((await app.request("/api/login", login(USER, eves))).status, 429);
});

Deno.test("signing in again ends the browser's previous session", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const old = await apiLogin(app);
  const again = await app.request("/api/login", login(USER, old));
  assert.equal(again.status, 200);
  assert.equal((await app.request("/api/me", { headers: { cookie: old } })).status, 401);
  const fresh = cookieOf(again, "__Host-fm_session")!;
  assert.notEqual(fresh, old);
  assert.equal((await app.request("/api/me", { headers: { cookie: fresh } })).status, 200);
});

Deno.test("sign out everywhere ends every session of the user and no one else's", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await createUser(t.db, { username: "olga", password: "olga's password", role: "operator" });
  const app = testApp(t.db);
  const [laptop, phone] = [await apiLogin(app), await apiLogin(app)];
  const olga = await apiLogin(app, { username: "olga", password: "olga's password" });
  const response = await app.request("/api/logout/everywhere", {
    method: "POST",
    headers: { cookie: phone, origin: ORIGIN },
  });
  assert.deepEqual(await response.json(), { ok: true, sessionsEnded: 2 });
  for (const cookie of [laptop, phone]) {
    assert.equal((await app.request("/api/me", { headers: { cookie } })).status, 401);
  }
  assert.equal((await app.request("/api/me", { headers: { cookie: olga } })).status, 200);
});

Deno.test("API answers and pages say Cache-Control: no-store", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  for (const path of ["/api/me", "/devices", "/login", "/api/nope"]) {
    const response = await app.request(path, { headers: { cookie } });
    assert.equal(response.headers.get("cache-control"), "no-store", path);
  }
});

Deno.test("with a public origin, Origin is checked against it and not against the Host header", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db, { publicOrigins: ["https://fleet.example.com:8443"] });
  const rebound = await app.request("https://evil.example/api/login", {
    ...login(USER),
    headers: {
      "content-type": "application/json",
      origin: "https://evil.example",
      host: "evil.example",
    },
  });
  assert.equal(rebound.status, 421, "a page asked for by another host name is refused");
  const foreign = await app.request("https://fleet.example.com:8443/api/login", {
    ...login(USER),
    headers: {
      "content-type": "application/json",
      origin: "https://evil.example",
      host: "fleet.example.com:8443",
    },
  });
  assert.equal(foreign.status, 403);
  const ours = await app.request("https://fleet.example.com:8443/api/login", {
    ...login(USER),
    headers: {
      "content-type": "application/json",
      origin: "https://fleet.example.com:8443",
      host: "fleet.example.com:8443",
    },
  });
  assert.equal(ours.status, 200);
  const health = await app.request("https://10.0.0.5/healthz", { headers: { host: "10.0.0.5" } });
  assert.equal(health.status, 200, "the balancer's health check by address still works");
});

Deno.test("a disabled user cannot sign in even with the right password", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  await collections(t.db).users.updateOne({ _id: "admin" }, { $set: { disabled: true } });
  const response = await testApp(t.db).request("/api/login", login(USER));
  assert.equal(response.status, 401);
  assert.equal((await response.json()).error.code, "account_disabled");
});

Deno.test("while the password checks are full, a stranger's sign-in is 503 at once, the owner's still queues", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const hasher = createInlineHasher({ maxQueued: 0 });
  const app = testApp(t.db, { hasher });
  const device = cookieOf(await app.request("/api/login", login(USER)), DEVICE_COOKIE)!;
  const hash = (await collections(t.db).users.findOne({ _id: "admin" }))!.passwordHash;
  const busy = hasher.verify("x", hash);
  const stranger = await app.request("/api/login", login({ ...USER, username: "eve" }));
  assert.equal(stranger.status, 503);
  assert.equal(stranger.headers.get("retry-after"), "1");
  assert.equal((await stranger.json()).error.code, "busy");
  const owner = app.request("/api/login", login(USER, device));
  await busy;
  assert.equal((await owner).status, 200);
  assert.equal(await collections(t.db).loginFailures.countDocuments({}), 0, "nothing was counted");
});
