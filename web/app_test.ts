import assert from "node:assert/strict";
import { MongoClient } from "mongodb";
import { collections } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedDevice, seedUser, testApp, USER } from "./_testing.ts";

Deno.test("pages carry strict security headers with a self-only CSP", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db);
  for (const path of ["/login", "/devices", "/no-such-page"]) {
    const h = (await app.request(path)).headers;
    const csp = h.get("content-security-policy") ?? "";
    assert.match(csp, /default-src 'self'/, path);
    assert.match(csp, /script-src 'self'(;|$)/, path);
    assert.match(csp, /style-src 'self'(;|$)/, path);
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp), `nothing but self in ${csp}`);
    assert.equal(h.get("x-content-type-options"), "nosniff", path);
    assert.equal(h.get("x-frame-options"), "DENY", path);
    assert.equal(h.get("referrer-policy"), "same-origin", path);
    assert.match(h.get("strict-transport-security") ?? "", /max-age=\d+/, path);
    assert.equal(h.get("cache-control"), "no-store", path);
  }
});

Deno.test("API answers carry the API set: nothing runs, nothing frames, nothing sniffs, nothing caches", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db);
  const cookie = await apiLogin(app);
  for (const path of ["/healthz", "/api/me", "/api/devices", "/api/no-such-route", "/metrics"]) {
    const response = await app.request(path, { headers: { cookie } });
    await response.body?.cancel();
    const h = response.headers;
    assert.equal(
      h.get("content-security-policy"),
      "default-src 'none'; frame-ancestors 'none'",
      path,
    );
    assert.equal(h.get("x-content-type-options"), "nosniff", path);
    assert.equal(h.get("cross-origin-resource-policy"), "same-origin", path);
    assert.equal(h.get("cache-control"), "no-store", path);
    assert.equal(h.get("referrer-policy"), null, `${path}: document-only headers are left off`);
  }
  const unauthenticated = await app.request("/api/me");
  await unauthenticated.body?.cancel();
  assert.equal(unauthenticated.status, 401);
  assert.equal(unauthenticated.headers.get("x-content-type-options"), "nosniff");
  assert.equal(unauthenticated.headers.get("cache-control"), "no-store");
});

Deno.test("/healthz is 200 with the node and db up, without a session", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db, { nodeId: "ws1" });
  const response = await app.request("/healthz");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { ok: true, node: "ws1", db: "up" });
  assert.equal(response.headers.get("cache-control"), "no-store");
});

Deno.test("/healthz is 503 when the database does not answer", async () => {
  // Nothing listens on this port: the ping fails fast.
  const client = new MongoClient(`mongodb://127.0.0.1:${freePort()}/`, {
    serverSelectionTimeoutMS: 200,
    retryWrites: false,
  });
  try {
    const app = testApp(client.db("x"));
    const response = await app.request("/healthz");
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { ok: false, node: "ws0", db: "down" });
  } finally {
    await client.close();
  }
});

Deno.test("/healthz is 503 with draining while the node shuts down", async () => {
  await using t = await openTestDatabase();
  const shutdown = new AbortController();
  const app = testApp(t.db, { signal: shutdown.signal });
  assert.equal((await app.request("/healthz")).status, 200);
  shutdown.abort();
  const response = await app.request("/healthz");
  assert.equal(response.status, 503);
  assert.equal((await response.json()).draining, true);
});

Deno.test("an unexpected error is a bare 500 that leaks nothing, and is logged", async () => {
  const client = new MongoClient(`mongodb://127.0.0.1:${freePort()}/`, {
    serverSelectionTimeoutMS: 200,
    retryWrites: false,
  });
  try {
    const app = testApp(client.db("x"));
    const api = await app.request("/api/devices", {
      headers: { cookie: "__Host-fm_session=fms_" + "a".repeat(43) },
    });
    assert.equal(api.status, 500);
    const text = await api.text();
    assert.deepEqual(JSON.parse(text), {
      error: { code: "internal", message: "Internal server error" },
    });
    assert.ok(!/127\.0\.0\.1|Mongo|stack|at /.test(text));
    const page = await app.request("/devices", {
      headers: { cookie: "__Host-fm_session=fms_" + "a".repeat(43) },
    });
    assert.equal(page.status, 500);
    assert.ok(!/Mongo|127\.0\.0\.1/.test(await page.text()));
    const logged = app.logger.lines.filter((l) => l.msg === "request failed");
    assert.equal(logged.length, 2);
    assert.match(JSON.stringify(logged[0].error), /Mongo/, "the log keeps the detail");
  } finally {
    await client.close();
  }
});

Deno.test("static assets, uPlot included, are public, typed and revalidated by ETag", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db);
  const js = await app.request("/static/uplot.js");
  assert.equal(js.status, 200);
  assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
  assert.match(await js.text(), /^\/\*! https:\/\/github\.com\/leeoniya\/uPlot \(v1\.6\.32\) \*\//);
  const etag = js.headers.get("etag")!;
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const again = await app.request("/static/uplot.js", { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  const css = await app.request("/static/uplot.css");
  assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
  assert.match(await css.text(), /\.uplot/);
  for (
    const name of ["app.css", "common.js", "devices.js", "device.js", "cluster.js", "favicon.svg"]
  ) {
    assert.equal((await app.request(`/static/${name}`)).status, 200, name);
  }
  const missing = await app.request("/static/passwd");
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("no response ever carries a token hash or a session hash", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const { token } = await seedDevice(t.db, "pump-1", { count: 2 });
  const app = testApp(t.db);
  const login = await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  const loginText = await login.text();
  const cookie = login.headers.getSetCookie()[0].split(";")[0];
  const secrets = [
    token,
    (await collections(t.db).devices.findOne({ _id: "pump-1" }))!.tokenHash,
    ...(await collections(t.db).sessions.find({}).toArray()).map((s) => s._id),
    (await collections(t.db).users.findOne({ _id: "admin" }))!.passwordHash,
  ];
  const bodies = [loginText];
  for (
    const path of [
      "/api/devices",
      "/api/devices/pump-1",
      "/api/devices/pump-1/readings",
      "/api/me",
      "/api/nodes",
      "/devices",
      "/devices/pump-1",
      "/cluster",
    ]
  ) {
    const response = await app.request(path, { headers: { cookie, origin: ORIGIN } });
    assert.equal(response.status, 200, path);
    bodies.push(await response.text());
  }
  for (const body of bodies) {
    assert.ok(!body.includes("tokenHash") && !body.includes("passwordHash"));
    for (const secret of secrets) assert.ok(!body.includes(secret));
  }
});

Deno.test("createApp refuses a session TTL under a second", async () => {
  await using t = await openTestDatabase();
  assert.throws(() => testApp(t.db, { sessionTtlMs: 10 }), /sessionTtlMs 10 is below 1000/);
});
