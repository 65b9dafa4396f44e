import assert from "node:assert/strict";
import { type CheckSpec, probe } from "./check_probe.ts";
import { deadPort, echo, readBytes, send, startBackend } from "./_test_helpers.ts";

const testdata = new URL("./testdata/", import.meta.url);
const read = (name: string) => Deno.readTextFileSync(new URL(name, testdata));
const http = (path = "/healthz"): CheckSpec => ({ kind: "http", path, tls: false });
const options = { timeoutMs: 300 };
const bytes = (text: string) => new TextEncoder().encode(text);

function serveHttp(handler: (request: Request) => Response, tls = false) {
  const certs = tls ? { cert: read("cert.pem"), key: read("key.pem") } : {};
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {}, ...certs },
    handler,
  );
  return {
    addr: { hostname: "127.0.0.1", port: server.addr.port },
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("a tcp check passes when the port accepts, and fails with the reason when refused", async () => {
  await using backend = startBackend("a");
  assert.deepEqual(await probe({ kind: "tcp" }, backend.addr, options), { ok: true });
  const refused = await probe(
    { kind: "tcp" },
    { hostname: "127.0.0.1", port: deadPort() },
    options,
  );
  assert.equal(refused.ok, false);
  assert.match(refused.detail!, /ConnectionRefused/);
});

Deno.test("an http check takes out a wedged node whose kernel still completes handshakes; a tcp check would not", async () => {
  using wedged = Deno.listen({ hostname: "127.0.0.1", port: 0 }); // never accepts, never answers
  const addr = { hostname: "127.0.0.1", port: wedged.addr.port };
  assert.equal((await probe({ kind: "tcp" }, addr, options)).ok, true);
  const result = await probe(http(), addr, options);
  assert.deepEqual(result, { ok: false, detail: "TimedOut: no HTTP status in 300 ms" });
});

Deno.test("an http check passes on 2xx and 3xx, fails on 5xx, and asks for the configured path", async () => {
  const paths: string[] = [];
  let status = 200;
  await using server = serveHttp((request) => {
    paths.push(`${new URL(request.url).pathname} ${request.headers.get("host")}`);
    return new Response(null, { status });
  });
  assert.deepEqual(await probe(http("/healthz"), server.addr, options), {
    ok: true,
    detail: "status 200",
  });
  status = 302;
  assert.equal((await probe(http(), server.addr, options)).ok, true);
  status = 503;
  assert.deepEqual(await probe(http(), server.addr, options), { ok: false, detail: "status 503" });
  assert.deepEqual(paths[0], `/healthz 127.0.0.1:${server.addr.port}`);
});

Deno.test("an https check passes against a certificate it cannot verify, unless given a CA", async () => {
  await using server = serveHttp(() => new Response("ok"), true);
  const https: CheckSpec = { kind: "http", path: "/", tls: true };
  assert.deepEqual(await probe(https, server.addr, options), { ok: true, detail: "status 200" });
  const verified = await probe({ ...https, caCerts: [read("ca.pem")] }, server.addr, options);
  assert.equal(verified.ok, true, verified.detail);
  const wrongCa = await probe({ ...https, caCerts: [read("cert.pem")] }, server.addr, options);
  assert.equal(wrongCa.ok, false);
  assert.match(wrongCa.detail!, /verify/);
});

Deno.test("an https check names the certificate's host when given one, and fails on a mismatch", async () => {
  await using server = serveHttp(() => new Response("ok"), true);
  const spec = (host: string): CheckSpec => ({
    kind: "http",
    path: "/",
    tls: true,
    host,
    caCerts: [read("ca.pem")],
  });
  assert.equal((await probe(spec("localhost"), server.addr, options)).ok, true);
  assert.equal((await probe(spec("elsewhere.test"), server.addr, options)).ok, false);
});

Deno.test("an expect check passes when the reply holds the expected bytes, and fails otherwise", async () => {
  await using backend = startBackend("e", { handler: (conn) => echo(conn) });
  const spec = (expect: string): CheckSpec => ({
    kind: "expect",
    send: bytes("PING ok\r\n"),
    expect: bytes(expect),
  });
  assert.deepEqual(await probe(spec("ok"), backend.addr, options), { ok: true });
  const wrong = await probe(spec("PONG"), backend.addr, options);
  assert.deepEqual(wrong.ok, false);
  assert.match(wrong.detail!, /lacks the expected bytes|TimedOut/);
});

Deno.test("an expect check sends the PROXY preamble first when given one", async () => {
  const got: string[] = [];
  await using backend = startBackend("p", {
    handler: async (conn) => {
      got.push(new TextDecoder().decode(await readBytes(conn, 20)));
      await send(conn, "ready");
    },
  });
  const spec: CheckSpec = { kind: "expect", send: bytes("hello"), expect: bytes("ready") };
  const result = await probe(spec, backend.addr, {
    ...options,
    preamble: bytes("PROXY UNKNOWN\r\n"),
  });
  assert.deepEqual(result, { ok: true });
  assert.equal(got[0], "PROXY UNKNOWN\r\nhello");
});

Deno.test("a check stops at once when its signal aborts", async () => {
  using wedged = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const addr = { hostname: "127.0.0.1", port: wedged.addr.port };
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 20);
  const started = performance.now();
  const result = await probe(http(), addr, { timeoutMs: 5000, signal: controller.signal });
  assert.equal(result.ok, false);
  assert.ok(performance.now() - started < 1000);
});
