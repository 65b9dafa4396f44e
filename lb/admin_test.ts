import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { type AdminAction, createAdminHandler } from "./admin.ts";
import type { BalancerStats } from "./backend.ts";
import { createBalancer } from "./balancer.ts";
import { startBackend, waitFor } from "./_test_helpers.ts";

function fakeStats(): BalancerStats {
  return {
    name: "lb-comm",
    addr: "127.0.0.1:7000",
    engine: "epoll",
    engineWhy: "auto: epoll can run here",
    startedAt: "2026-01-01T00:00:00.000Z",
    uptimeSeconds: 5,
    connections: {
      active: 1,
      total: 9,
      noBackend: 2,
      idleTimeouts: 0,
      acceptErrors: 0,
      maxConnections: 100,
    },
    backends: [{
      id: "cs0",
      address: "127.0.0.1:7101",
      check: "127.0.0.1:7111",
      proxyProtocol: "v2",
      state: "up",
      health: "up",
      admin: "enabled",
      since: "2026-01-01T00:00:01.000Z",
      lastCheck: { ok: true, at: "2026-01-01T00:00:04.000Z", detail: "status 200", durationMs: 2 },
      active: 1,
      total: 9,
      failedConnects: 1,
      txBytes: 300,
      rxBytes: 4000,
    }],
  };
}

function handler(token?: string) {
  const actions: [AdminAction, string][] = [];
  const handle = createAdminHandler({
    stats: fakeStats,
    act: (action, id) => {
      if (id !== "cs0") throw new RangeError(`Cannot ${action} backend: no backend "${id}"`);
      actions.push([action, id]);
    },
    token,
  });
  return { handle, actions };
}

const get = (path: string, headers: HeadersInit = {}) =>
  new Request(`http://lb${path}`, { headers });
const post = (path: string, headers: HeadersInit = {}) =>
  new Request(`http://lb${path}`, { method: "POST", headers });

Deno.test("admin serves stats as JSON, Prometheus text and an HTML status page", async () => {
  const { handle } = handler();
  const json = handle(get("/stats"), "127.0.0.1");
  assert.equal(json.headers.get("content-type"), "application/json");
  assert.deepEqual(await json.json(), fakeStats());

  const metrics = await handle(get("/metrics"), "127.0.0.1").text();
  assert.match(metrics, /^# TYPE lb_backend_up gauge$/m);
  assert.match(metrics, /^lb_info\{lb="lb-comm",engine="epoll"\} 1$/m);
  assert.match(metrics, /^lb_backend_up\{lb="lb-comm",backend="cs0"\} 1$/m);
  assert.match(metrics, /^lb_backend_state\{lb="lb-comm",backend="cs0",state="up"\} 1$/m);
  assert.match(metrics, /^lb_backend_state\{lb="lb-comm",backend="cs0",state="down"\} 0$/m);
  assert.match(metrics, /^lb_backend_failed_connects_total\{lb="lb-comm",backend="cs0"\} 1$/m);
  assert.match(
    metrics,
    /^lb_backend_bytes_total\{lb="lb-comm",backend="cs0",direction="from_backend"\} 4000$/m,
  );
  assert.match(metrics, /^lb_no_backend_total\{lb="lb-comm"\} 2$/m);
  assert.match(
    metrics,
    /^lb_backend_check_timestamp_seconds\{lb="lb-comm",backend="cs0"\} 1767225604$/m,
  );

  const page = handle(get("/"), "::1");
  assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
  const html = await page.text();
  assert.match(
    html,
    /<td>cs0<\/td><td>127\.0\.0\.1:7101<\/td><td>127\.0\.0\.1:7111<\/td><td>up<\/td>/,
  );
  assert.match(html, /ok: status 200/);
});

Deno.test("admin answers /memory with each thread's heap once measured, and 404 where there are none", async () => {
  const heap = { heapUsed: 5_000_000, external: 200_000 };
  const handle = createAdminHandler({
    stats: fakeStats,
    act: () => {},
    memory: () => Promise.resolve({ controlPlane: heap, dataPlane: { ...heap, external: 1 } }),
  });
  const response = handle(get("/memory"), "127.0.0.1");
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.deepEqual(await response.json(), {
    controlPlane: heap,
    dataPlane: { ...heap, external: 1 },
  });
  assert.equal(handler().handle(get("/memory"), "127.0.0.1").status, 404);
  assert.equal(handle(get("/memory"), "10.0.0.5").status, 403, "loopback only without a token");
});

Deno.test("admin drains, disables and enables backends from loopback when no token is set", async () => {
  const { handle, actions } = handler();
  for (const action of ["drain", "disable", "enable"]) {
    const response = handle(post(`/backends/cs0/${action}`), "127.0.0.1");
    assert.equal(response.status, 200);
    assert.equal((await response.json()).id, "cs0");
  }
  assert.deepEqual(actions, [["drain", "cs0"], ["disable", "cs0"], ["enable", "cs0"]]);
  const unknown = handle(post("/backends/cs9/drain"), "127.0.0.1");
  assert.equal(unknown.status, 404);
  assert.equal(await unknown.text(), 'Cannot drain backend: no backend "cs9"\n');
  assert.equal(handle(post("/backends/cs0/explode"), "127.0.0.1").status, 404);
  assert.equal(handle(get("/nowhere"), "127.0.0.1").status, 404);
  assert.equal(handle(new Request("http://lb/stats", { method: "PUT" }), "127.0.0.1").status, 405);
});

Deno.test("admin refuses everything from a non-loopback address when no token is set", () => {
  const { handle, actions } = handler();
  assert.equal(handle(get("/stats"), "10.0.0.5").status, 403);
  assert.equal(handle(post("/backends/cs0/drain"), "10.0.0.5").status, 403);
  assert.deepEqual(actions, []);
});

Deno.test("admin with a token wants it for every POST, and for anything from elsewhere", () => {
  const { handle, actions } = handler("s3cret-token");
  const auth = { authorization: "Bearer s3cret-token" };
  assert.equal(handle(post("/backends/cs0/drain"), "127.0.0.1").status, 401);
  assert.equal(
    handle(post("/backends/cs0/drain", { authorization: "Bearer wrong-token!" }), "127.0.0.1")
      .status,
    401,
  );
  assert.equal(handle(post("/backends/cs0/drain", auth), "10.0.0.5").status, 200);
  assert.equal(handle(get("/stats"), "127.0.0.1").status, 200, "loopback reads freely");
  assert.equal(handle(get("/stats"), "10.0.0.5").status, 401);
  assert.equal(handle(get("/stats", auth), "10.0.0.5").status, 200);
  assert.deepEqual(actions, [["drain", "cs0"]]);
});

Deno.test("admin refuses cross-site requests: a foreign Origin, a cross-site fetch, a form post", async () => {
  const { handle, actions } = handler();
  const evil = { origin: "https://evil.example" };
  const form = { "content-type": "application/x-www-form-urlencoded" };
  assert.equal(handle(post("/backends/cs0/enable", { ...evil, ...form }), "127.0.0.1").status, 403);
  assert.equal(handle(post("/backends/cs0/disable", evil), "127.0.0.1").status, 403);
  assert.equal(handle(post("/backends/cs0/drain", { origin: "null" }), "127.0.0.1").status, 403);
  assert.equal(handle(get("/stats", evil), "127.0.0.1").status, 403);
  const crossSite = { "sec-fetch-site": "cross-site" };
  assert.equal(handle(post("/backends/cs0/drain", crossSite), "127.0.0.1").status, 403);
  for (
    const type of ["application/x-www-form-urlencoded", "multipart/form-data; b=x", "text/plain"]
  ) {
    const response = handle(post("/backends/cs0/drain", { "content-type": type }), "127.0.0.1");
    assert.equal(response.status, 415, type);
  }
  assert.deepEqual(actions, [], "nothing was done");
  // Its own page, curl, and a script posting JSON are served.
  const own = { origin: "http://lb", "sec-fetch-site": "same-origin" };
  assert.equal(handle(post("/backends/cs0/drain", own), "127.0.0.1").status, 200);
  assert.equal(handle(post("/backends/cs0/drain"), "127.0.0.1").status, 200);
  const json = { "content-type": "application/json" };
  assert.equal(handle(post("/backends/cs0/enable", json), "127.0.0.1").status, 200);
  assert.equal((await handle(get("/stats", own), "::1").json()).name, "lb-comm");
});

Deno.test("a balancer refuses to serve its admin API beyond loopback without a token", async () => {
  const options = {
    listen: { hostname: "127.0.0.1", port: 0 },
    admin: { hostname: "0.0.0.0", port: 0 },
    backends: [{ id: "a", address: { hostname: "127.0.0.1", port: 1 } }],
    logger: createMemoryLogger(),
  };
  await assert.rejects(
    () => createBalancer(options),
    /admin API on 0\.0\.0\.0 needs an admin token/,
  );
});

Deno.test("admin is served over HTTP by the balancer, and its actions change the backend", async () => {
  await using a = startBackend("a");
  const logger = createMemoryLogger();
  await using lb = await createBalancer({
    listen: { hostname: "127.0.0.1", port: 0 },
    backends: [{ id: "a", address: a.addr }],
    checkIntervalMs: 50,
    logger,
  });
  assert.ok(lb.adminAddr, "an admin port by default");
  assert.equal(lb.adminAddr.hostname, "127.0.0.1");
  const base = `http://127.0.0.1:${lb.adminAddr.port}`;
  await waitFor(() => lb.backends()[0].state === "up", "a up");
  const forged = await fetch(`${base}/backends/a/disable`, {
    method: "POST",
    headers: { origin: "https://evil.example" },
    body: new URLSearchParams({ x: "1" }),
  });
  assert.equal(forged.status, 403);
  assert.match(await forged.text(), /Origin https:\/\/evil\.example is not http:\/\/127\.0\.0\.1:/);
  assert.equal(lb.backends()[0].admin, "enabled");
  const drained = await fetch(`${base}/backends/a/drain`, { method: "POST" });
  assert.equal((await drained.json()).state, "draining");
  const stats = await (await fetch(`${base}/stats`)).json();
  assert.equal(stats.backends[0].state, "draining");
  assert.equal(stats.backends[0].lastCheck.ok, true);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  assert.match(metrics, /lb_backend_state\{lb="lb",backend="a",state="draining"\} 1/);
  const memory = await (await fetch(`${base}/memory`)).json();
  for (const thread of ["controlPlane", "dataPlane"]) {
    assert.ok(memory[thread].heapUsed > 1_000_000, `${thread}: ${JSON.stringify(memory)}`);
    assert.ok(memory[thread].external > 0, `${thread}: ${JSON.stringify(memory)}`);
  }
  await (await fetch(`${base}/`)).body?.cancel();
});
