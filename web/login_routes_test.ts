import assert from "node:assert/strict";
import { collections } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import {
  apiLogin,
  assertRelativeLocation,
  ORIGIN,
  seedUser,
  sessionCookie,
  testApp,
  USER,
} from "./_testing.ts";

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const form = (fields: Record<string, string>, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN, ...headers },
  body: new URLSearchParams(fields).toString(),
});

Deno.test("API login with the right password sets a strict session cookie", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db, {
    now: () => Date.parse("2026-01-01T00:00:00Z"),
    sessionTtlMs: 3_600_000,
  });
  const response = await app.request("/api/login", json(USER));
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    username: "admin",
    role: "admin",
    expiresAt: "2026-01-01T01:00:00.000Z",
  });
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("__Host-fm_session="))!;
  for (const attribute of ["HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Max-Age=3600"]) {
    assert.ok(cookie.split("; ").includes(attribute), `${attribute} in ${cookie}`);
  }
  const value = sessionCookie(response).split("=")[1];
  const stored = await collections(t.db).sessions.find({}).toArray();
  assert.equal(stored.length, 1);
  assert.ok(!JSON.stringify(stored).includes(value), "the session id is stored only hashed");
});

Deno.test("API login with a wrong password or unknown user is 401 and sets no cookie", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  for (const credentials of [{ ...USER, password: "wrong horse" }, { ...USER, username: "eve" }]) {
    const response = await app.request("/api/login", json(credentials));
    assert.equal(response.status, 401);
    assert.deepEqual(await response.json(), {
      error: { code: "bad_credentials", message: "Wrong username or password" },
    });
    assert.equal(response.headers.getSetCookie().length, 0);
  }
  assert.equal(await collections(t.db).sessions.countDocuments({}), 0);
});

Deno.test("a session made on one node works on another node sharing the database", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const ws0 = testApp(t.db, { nodeId: "ws0" });
  const ws1 = testApp(t.db, { nodeId: "ws1" });
  const cookie = await apiLogin(ws0);
  const response = await ws1.request("/api/me", { headers: { cookie } });
  assert.equal(response.status, 200);
  assert.equal((await response.json()).username, "admin");
});

Deno.test("an expired session is refused with 401 on the API and a redirect on pages", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  let clock = Date.parse("2026-01-01T00:00:00Z");
  const app = testApp(t.db, { now: () => clock, sessionTtlMs: 60_000 });
  const cookie = await apiLogin(app);
  assert.equal((await app.request("/api/me", { headers: { cookie } })).status, 200);
  clock += 60_000;
  const api = await app.request("/api/me", { headers: { cookie } });
  assert.equal(api.status, 401);
  assert.deepEqual(await api.json(), {
    error: { code: "unauthenticated", message: "Sign in first: no valid session" },
  });
  const page = await app.request("/devices", { headers: { cookie } });
  assert.equal(page.status, 302);
  assertRelativeLocation(page, "./login?next=devices");
});

Deno.test("logout deletes the session everywhere and clears the cookie", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const other = testApp(t.db, { nodeId: "ws1" });
  const cookie = await apiLogin(app);
  const response = await app.request("/logout", form({}, { cookie }));
  assert.equal(response.status, 303);
  assertRelativeLocation(response, "./login");
  assert.match(response.headers.getSetCookie()[0], /^__Host-fm_session=; Max-Age=0/);
  assert.equal((await other.request("/api/me", { headers: { cookie } })).status, 401);
  assert.equal(await collections(t.db).sessions.countDocuments({}), 0);

  const again = await apiLogin(app);
  const api = await app.request("/api/logout", json({}, { cookie: again }));
  assert.deepEqual(await api.json(), { ok: true });
  assert.equal((await app.request("/api/me", { headers: { cookie: again } })).status, 401);
});

Deno.test("the sign-in form logs in and goes back, by a relative URL, to the page asked for", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const page = await app.request("/login?next=devices%2Fpump-1");
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /<form method="post" action="login"/);
  assert.match(html, /name="next" value="devices\/pump-1"/);

  const ok = await app.request("/login", form({ ...USER, next: "devices/pump-1" }));
  assert.equal(ok.status, 303);
  assertRelativeLocation(ok, "./devices/pump-1");
  const cookie = sessionCookie(ok);

  const evil = await app.request("/login", form({ ...USER, next: "//evil.example/x" }));
  assertRelativeLocation(evil, "./overview");

  const signedIn = await app.request("/login", { headers: { cookie } });
  assertRelativeLocation(signedIn, "./overview");

  const wrong = await app.request("/login", form({ ...USER, password: "nope" }));
  assert.equal(wrong.status, 401);
  assert.match(await wrong.text(), /Wrong username or password/);
  const empty = await app.request("/login", form({ username: "", password: "" }));
  assert.equal(empty.status, 400);
  assert.match(await empty.text(), /Enter a username and a password/);
});

Deno.test("pages without a session redirect to the sign-in page by relative URLs", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const cases: [string, string][] = [
    ["/devices", "./login?next=devices"],
    ["/devices/pump%3A1", "../login?next=devices%2Fpump%253A1"],
    ["/cluster", "./login?next=cluster"],
    ["/overview", "./login?next=overview"],
    ["/", "./login"],
  ];
  for (const [path, location] of cases) {
    const response = await app.request(path);
    assert.equal(response.status, 302, path);
    assertRelativeLocation(response, location);
  }
  const cookie = await apiLogin(app);
  assertRelativeLocation(await app.request("/", { headers: { cookie } }), "./overview");
});

Deno.test("five failed sign-ins lock the account for unknown browsers, from any address", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const clock = Date.parse("2026-01-01T00:00:00Z");
  const app = testApp(t.db, { now: () => clock });
  for (let i = 0; i < 5; i++) {
    assert.equal((await app.request("/api/login", json({ ...USER, password: "bad" }))).status, 401);
  }
  const limited = await app.request("/api/login", json(USER));
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get("retry-after"), "300");
  assert.match(
    (await limited.json()).error.message,
    /^Too many failed sign-ins for this account: try again in 300 s, or from a browser that signed in as this user before$/,
  );
  const page = await app.request("/login", form(USER));
  assert.equal(page.status, 429);
  const otherAddress = await app.request("/api/login", json(USER), {
    remoteAddr: { transport: "tcp", hostname: "10.0.0.9", port: 5000 },
  });
  assert.equal(otherAddress.status, 429, "the lock is per account, not per address");
});

Deno.test("failed sign-ins on one web node count on the other (lb(web) alternates them)", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const nodes = [testApp(t.db, { nodeId: "ws0" }), testApp(t.db, { nodeId: "ws1" })];
  for (let i = 0; i < 5; i++) {
    const response = await nodes[i % 2].request("/api/login", json({ ...USER, password: "bad" }));
    assert.equal(response.status, 401);
  }
  assert.equal((await nodes[0].request("/api/login", json(USER))).status, 429);
  assert.equal((await nodes[1].request("/api/login", json(USER))).status, 429);
});

Deno.test("a malformed login is 400 with a message that says what is wrong", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db);
  const missing = await app.request("/api/login", json({ username: "admin" }));
  assert.equal(missing.status, 400);
  const body = await missing.json();
  assert.equal(body.error.code, "invalid_request");
  assert.match(body.error.message, /^Invalid login: password: /);
  assert.deepEqual(body.error.issues.map((i: { path: string }) => i.path), ["password"]);

  const extra = await app.request("/api/login", json({ ...USER, admin: true }));
  assert.match((await extra.json()).error.message, /Unrecognized key: "admin"/);

  const notJson = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{",
  });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json()).error.code, "invalid_json");

  const wrongType = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: ORIGIN },
    body: "username=admin",
  });
  assert.equal(wrongType.status, 400);
  assert.match((await wrongType.json()).error.message, /Content-Type: application\/json/);

  const huge = await app.request(
    "/api/login",
    json({ username: "a", password: "x".repeat(20_000) }),
  );
  assert.equal(huge.status, 413);
});

Deno.test("cross-origin POSTs are refused, form or JSON", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const evil = { origin: "https://evil.example" };
  const cases: [string, RequestInit][] = [
    ["form with a foreign Origin", form(USER, evil)],
    ["form with no Origin at all", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(USER).toString(),
    }],
    ["JSON with a foreign Origin", json(USER, evil)],
    ["JSON marked cross-site", json(USER, { "sec-fetch-site": "cross-site" })],
  ];
  for (const [what, init] of cases) {
    const path = what.startsWith("JSON") ? "/api/login" : "/login";
    const response = await app.request(path, init);
    assert.equal(response.status, 403, what);
    assert.equal(response.headers.getSetCookie().length, 0, what);
  }
  const json403 = await app.request("/api/login", json(USER, evil));
  assert.deepEqual(await json403.json(), {
    error: { code: "forbidden", message: "Cross-origin request refused" },
  });
  const sameSite = await app.request("/login", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "sec-fetch-site": "same-origin",
    },
    body: new URLSearchParams(USER).toString(),
  });
  assert.equal(sameSite.status, 303, "a same-origin form without Origin passes on Sec-Fetch-Site");
  assert.equal(await collections(t.db).sessions.countDocuments({}), 1);
});
