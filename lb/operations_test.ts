import assert from "node:assert/strict";
import { readProxyHeader } from "@fleetmon/shared/proxy_protocol";
import { formatHostPort } from "@fleetmon/shared/net";
import {
  allUp,
  ENGINES,
  quietly,
  readBytes,
  readLine,
  readToEnd,
  send,
  startBackend,
  stateOf,
  testBalancer,
  waitFor,
  whoAnswers,
} from "./_test_helpers.ts";

for (const engine of ENGINES) {
  Deno.test(`lb drains a backend: no new connections go to it, the open one goes on [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using lb = await testBalancer([a, b], { engine });
    await allUp(lb);
    using open = await Deno.connect(lb.addr);
    assert.equal(await readLine(open), "a");
    lb.drain("a");
    assert.equal(stateOf(lb, "a"), "draining");
    for (let i = 0; i < 4; i++) assert.equal(await whoAnswers(lb.addr), "b");
    await send(open, "still here\n");
    assert.equal(await readLine(open), "still here");
    assert.equal(lb.backends()[0].active, 1);
    lb.enable("a");
    assert.equal(stateOf(lb, "a"), "up");
    const answers = [await whoAnswers(lb.addr), await whoAnswers(lb.addr)];
    assert.deepEqual(answers.sort(), ["a", "b"]);
  });

  Deno.test(`lb disable takes a backend out and closes its open connections [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using lb = await testBalancer([a, b], { engine });
    await allUp(lb);
    using open = await Deno.connect(lb.addr);
    assert.equal(await readLine(open), "a");
    lb.disable("a");
    assert.equal(stateOf(lb, "a"), "disabled");
    const read = await open.read(new Uint8Array(8)).catch((error) => error);
    assert.ok(read === null || read instanceof Deno.errors.ConnectionReset, String(read));
    for (let i = 0; i < 3; i++) assert.equal(await whoAnswers(lb.addr), "b");
    await waitFor(() => lb.backends()[0].active === 0, "a has no connection");
    assert.throws(() => lb.disable("nope"), /Cannot disable backend: no backend "nope"/);
  });

  Deno.test(`lb holds at most maxConnections; the next client waits in the backlog until one ends [${engine}]`, async () => {
    await using a = startBackend("a");
    await using lb = await testBalancer([a], { engine, maxConnections: 1 });
    const first = await Deno.connect(lb.addr);
    assert.equal(await readLine(first), "a");
    using second = await Deno.connect(lb.addr);
    const greeting = readLine(second);
    const early = await Promise.race([greeting, new Promise((r) => setTimeout(r, 150, "nothing"))]);
    assert.equal(early, "nothing", "the second client is not served while the first is open");
    assert.equal(lb.stats().connections.active, 1);
    first.close();
    assert.equal(await greeting, "a");
  });

  Deno.test(`lb closes a connection that relays nothing for idleTimeoutMs, and keeps a busy one [${engine}]`, async () => {
    await using a = startBackend("a");
    await using lb = await testBalancer([a], { engine, idleTimeoutMs: 200 });
    using idle = await Deno.connect(lb.addr);
    using busy = await Deno.connect(lb.addr);
    assert.equal(await readLine(idle), "a");
    assert.equal(await readLine(busy), "a");
    const started = performance.now();
    const idleEnd = idle.read(new Uint8Array(8)).catch((error) => error);
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 50));
      await send(busy, "ping\n");
      assert.equal(await readLine(busy), "ping");
    }
    assert.equal(await idleEnd, null);
    const tookMs = performance.now() - started;
    assert.ok(tookMs >= 200, `closed after ${tookMs} ms`);
    assert.equal(lb.stats().connections.idleTimeouts, 1);
  });

  Deno.test(`lb gives up a connect after connectTimeoutMs and tries the next backend [${engine}]`, async () => {
    // A listener that never accepts: once its backlog is full, connects get no answer.
    const stuck = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const filler: Deno.Conn[] = [];
    const lastTry = new AbortController();
    let hanging: Promise<unknown> = Promise.resolve();
    try {
      while (true) {
        const signal = lastTry.signal;
        const attempt = Deno.connect({ hostname: "127.0.0.1", port: stuck.addr.port, signal });
        const conn = await Promise.race([
          attempt,
          new Promise<null>((r) => setTimeout(r, 50, null)),
        ]);
        if (!conn) {
          hanging = attempt.then((late) => late.close(), () => {});
          break;
        }
        filler.push(conn);
      }
      await using b = startBackend("b");
      await using lb = await testBalancer([{ name: "stuck", addr: stuck.addr }, b], {
        engine,
        connectTimeoutMs: 150,
        checkTimeoutMs: 10_000,
        checkIntervalMs: 60_000,
      });
      const started = performance.now();
      assert.equal(await whoAnswers(lb.addr), "b");
      assert.ok(performance.now() - started >= 150);
      assert.equal(lb.backends()[0].failedConnects, 1);
      assert.match(JSON.stringify(lb.logger.lines), /no answer in 150 ms/);
    } finally {
      lastTry.abort();
      await hanging;
      for (const conn of filler) quietly(() => conn.close());
      stuck.close();
    }
  });

  Deno.test(`lb writes a PROXY v1 or v2 header with the client's address before its bytes [${engine}]`, async () => {
    for (const version of ["v1", "v2"] as const) {
      const seen: string[] = [];
      await using backend = startBackend("p", {
        handler: async (conn) => {
          const bytes = await readBytes(conn, version === "v1" ? 20 : 16);
          if (bytes.length === 0) return; // a health check
          const more = await readBytes(conn, 200);
          const all = new Uint8Array([...bytes, ...more]);
          const result = readProxyHeader(all);
          assert.equal(result.status, "complete");
          if (result.status !== "complete") return;
          const rest = new TextDecoder().decode(all.subarray(result.headerLength));
          seen.push(`${formatHostPort(result.source!)} ${formatHostPort(result.dest!)} ${rest}`);
        },
      });
      await using lb = await testBalancer([backend], {
        engine,
        backends: [{ id: "p", address: backend.addr, proxyProtocol: version }],
      });
      {
        using conn = await Deno.connect(lb.addr);
        await send(conn, "data");
        await conn.closeWrite();
        const me = formatHostPort(conn.localAddr);
        await waitFor(() => seen.length === 1, "backend read the header");
        assert.equal(seen[0], `${me} ${formatHostPort(lb.addr)} data`);
      }
    }
  });

  Deno.test(`lb relays IPv6 clients to IPv6 backends, with a TCP6 PROXY header [${engine}]`, async () => {
    const headers: string[] = [];
    await using backend = startBackend("v6", {
      hostname: "::1",
      handler: async (conn) => {
        const bytes = await readBytes(conn, 64);
        headers.push(new TextDecoder().decode(bytes).split("\r\n")[0]);
        await send(conn, "six\n");
      },
    });
    await using lb = await testBalancer([backend], {
      engine,
      listen: { hostname: "::1", port: 0 },
      backends: [{ id: "v6", address: backend.addr, proxyProtocol: "v1" }],
    });
    await allUp(lb);
    using conn = await Deno.connect({ hostname: "::1", port: lb.addr.port });
    await send(conn, "x".repeat(64));
    assert.equal(await readLine(conn), "six");
    const local = conn.localAddr as Deno.NetAddr;
    // The other connections were health checks, which send nothing.
    const relayed = headers.filter((header) => header.startsWith("PROXY"));
    assert.deepEqual(relayed, [`PROXY TCP6 ::1 ::1 ${local.port} ${lb.addr.port}`]);
  });

  Deno.test(`lb close() waits for open connections, then stops; new clients are refused meanwhile [${engine}]`, async () => {
    await using a = startBackend("a");
    const lb = await testBalancer([a], { engine, shutdownTimeoutMs: 5000 });
    const conn = await Deno.connect(lb.addr);
    assert.equal(await readLine(conn), "a");
    let closed = false;
    const closing = lb.close().then(() => closed = true);
    await waitFor(
      () => lb.logger.lines.some((l) => l.msg === "shutting down; waiting for open connections"),
      "waiting",
    );
    await assert.rejects(() => Deno.connect(lb.addr), Deno.errors.ConnectionRefused);
    await send(conn, "still served\n");
    assert.equal(await readLine(conn), "still served");
    assert.equal(closed, false);
    conn.close();
    await closing;
  });

  Deno.test(`lb close() closes connections still open after shutdownTimeoutMs [${engine}]`, async () => {
    await using a = startBackend("a");
    const lb = await testBalancer([a], { engine, shutdownTimeoutMs: 100 });
    using conn = await Deno.connect(lb.addr);
    assert.equal(await readLine(conn), "a");
    const started = performance.now();
    await lb.close();
    assert.ok(performance.now() - started >= 100);
    assert.equal(await conn.read(new Uint8Array(8)), null);
  });

  Deno.test(`lb passes TLS through untouched: the client verifies the backend's own certificate [${engine}]`, async () => {
    const testdata = new URL("./testdata/", import.meta.url);
    const read = (name: string) => Deno.readTextFileSync(new URL(name, testdata));
    const server = Deno.serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        cert: read("cert.pem"),
        key: read("key.pem"),
        onListen() {},
      },
      (request) => new Response(`secure ${new URL(request.url).pathname}`),
    );
    try {
      await using lb = await testBalancer([{
        name: "web",
        addr: { hostname: "127.0.0.1", port: server.addr.port },
      }], { engine });
      using tls = await Deno.connectTls({
        hostname: "localhost",
        port: lb.addr.port,
        caCerts: [read("ca.pem")],
      });
      await send(tls, "GET /dashboard HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
      const reply = await readToEnd(tls);
      assert.match(reply, /^HTTP\/1\.1 200 OK/);
      assert.match(reply, /secure \/dashboard$/);
    } finally {
      await server.shutdown();
    }
  });
}
