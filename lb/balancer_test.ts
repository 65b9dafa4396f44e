import assert from "node:assert/strict";
import {
  allUp,
  deadPort,
  ENGINES,
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
  Deno.test(`lb sends connections round robin: a, b, c, a, b, c [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using c = startBackend("c");
    await using lb = await testBalancer([a, b, c], { engine });
    await allUp(lb);
    const order = [];
    for (let i = 0; i < 6; i++) order.push(await whoAnswers(lb.addr));
    assert.deepEqual(order, ["a", "b", "c", "a", "b", "c"]);
    assert.deepEqual(lb.backends().map((x) => x.total), [2, 2, 2]);
  });

  Deno.test(`lb relays bytes both ways and counts them per backend [${engine}]`, async () => {
    await using a = startBackend("a");
    await using lb = await testBalancer([a], { engine });
    {
      using conn = await Deno.connect(lb.addr);
      assert.equal(await readLine(conn), "a");
      await send(conn, "x".repeat(100_000) + "\n");
      assert.equal((await readLine(conn)).length, 100_000);
    }
    await waitFor(() => lb.backends()[0].active === 0, "relay ended");
    const [stats] = lb.backends();
    assert.equal(stats.txBytes, 100_001);
    assert.equal(stats.rxBytes, 100_001 + "a\n".length);
  });

  Deno.test(`lb passes the client's half-close on and still relays the backend's answer [${engine}]`, async () => {
    // The backend reads to EOF, then answers with what it got and closes.
    await using backend = startBackend("counter", {
      handler: async (conn) => {
        const got = await readToEnd(conn);
        await send(conn, `got ${got.length} bytes: ${got}`);
      },
    });
    await using lb = await testBalancer([backend], { engine });
    using conn = await Deno.connect(lb.addr);
    await send(conn, "hello");
    await conn.closeWrite();
    assert.equal(await readToEnd(conn), "got 5 bytes: hello");
  });

  Deno.test(`lb passes the backend's half-close on and still relays the client's bytes [${engine}]`, async () => {
    const received: string[] = [];
    await using backend = startBackend("talker", {
      handler: async (conn) => {
        await send(conn, "bye");
        await conn.closeWrite();
        received.push(await readToEnd(conn));
      },
    });
    await using lb = await testBalancer([backend], { engine });
    using conn = await Deno.connect(lb.addr);
    assert.equal(await readToEnd(conn), "bye");
    await send(conn, "late words");
    await conn.closeWrite();
    await waitFor(() => received.includes("late words"), "the backend got the late words");
  });

  Deno.test(`lb retries a failed connect on the next backend and counts it against the failed one [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    // Checks every minute: after the first, only client connects can find out that a is gone.
    await using lb = await testBalancer([a, b], { engine, checkIntervalMs: 60_000 });
    await allUp(lb);
    await a.close();
    assert.equal(await whoAnswers(lb.addr), "b");
    const [statsA, statsB] = lb.backends();
    assert.equal(statsA.failedConnects, 1);
    assert.equal(statsA.state, "up", "one failed connect is less than fall");
    assert.equal(statsB.total, 1);
    assert.match(JSON.stringify(lb.logger.lines), /cannot connect to backend/);
  });

  Deno.test(`lb takes a backend down after fall failed client connects, between checks [${engine}]`, async () => {
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using lb = await testBalancer([a, b], { engine, checkIntervalMs: 60_000, fall: 3 });
    await allUp(lb);
    await a.close();
    for (let i = 0; i < 6; i++) assert.equal(await whoAnswers(lb.addr), "b");
    assert.equal(stateOf(lb, "a"), "down");
    assert.equal(lb.backends()[0].failedConnects, 3, "no connect is tried once it is down");
  });

  Deno.test(`lb closes the client cleanly and counts it when no backend is available [${engine}]`, async () => {
    await using lb = await testBalancer([
      { name: "gone1", addr: { hostname: "127.0.0.1", port: deadPort() } },
      { name: "gone2", addr: { hostname: "127.0.0.1", port: deadPort() } },
    ], { engine });
    await waitFor(() => lb.backends().every((b) => b.state === "down"), "both down");
    using conn = await Deno.connect(lb.addr);
    assert.equal(await conn.read(new Uint8Array(10)), null, "a clean EOF, not a reset");
    await waitFor(() => lb.stats().connections.noBackend === 1, "counted");
  });

  Deno.test(`lb marks a backend that dies mid-run down within fall × interval + timeout, and sends it nothing after [${engine}]`, async () => {
    const [interval, timeout, fall] = [100, 100, 3];
    await using a = startBackend("a");
    await using b = startBackend("b");
    await using lb = await testBalancer([a, b], {
      engine,
      checkIntervalMs: interval,
      checkTimeoutMs: timeout,
      fall,
    });
    await allUp(lb);
    for (let i = 0; i < 4; i++) await whoAnswers(lb.addr);
    const died = performance.now();
    await a.close();
    await waitFor(() => stateOf(lb, "a") === "down", "a down", 5000);
    const tookMs = performance.now() - died;
    // The bound, plus a little for timers on a busy machine.
    assert.ok(tookMs <= fall * interval + timeout + 100, `took ${tookMs} ms`);
    const before = lb.backends()[0];
    for (let i = 0; i < 10; i++) assert.equal(await whoAnswers(lb.addr), "b");
    const after = lb.backends()[0];
    assert.equal(after.total, before.total, "no connection went to a");
    assert.equal(after.failedConnects, 0, "not even a failed one");
    const changes = lb.logger.lines
      .filter((line) => line.msg === "backend state changed" && line.backend === "a")
      .map((line) => [line.from, line.to]);
    assert.deepEqual(changes, [["unknown", "up"], ["up", "down"]]);
  });

  Deno.test(`lb brings a backend back after rise good checks, and round robin includes it again [${engine}]`, async () => {
    await using b = startBackend("b");
    const first = startBackend("a");
    const port = first.addr.port;
    await using lb = await testBalancer([first, b], { engine, checkIntervalMs: 50, rise: 3 });
    await allUp(lb);
    await first.close();
    await waitFor(() => stateOf(lb, "a") === "down", "a down");
    const downAt = performance.now();
    await using _again = startBackend("a", { port });
    await waitFor(() => stateOf(lb, "a") === "up", "a up again");
    const tookMs = performance.now() - downAt;
    assert.ok(tookMs >= 2 * 50 - 10, `up after ${tookMs} ms: needs 3 good checks 50 ms apart`);
    const answers = new Set<string>();
    for (let i = 0; i < 4; i++) answers.add(await whoAnswers(lb.addr));
    assert.deepEqual([...answers].sort(), ["a", "b"]);
  });

  Deno.test(`lb logs each state change once, not every failed check while down [${engine}]`, async () => {
    await using lb = await testBalancer([{
      name: "gone",
      addr: { hostname: "127.0.0.1", port: deadPort() },
    }], { engine });
    await waitFor(() => stateOf(lb, "gone") === "down", "down");
    const checked = lb.backends()[0].lastCheck!.at;
    await waitFor(() => lb.backends()[0].lastCheck!.at !== checked, "another check");
    await waitFor(() => lb.backends()[0].lastCheck!.at !== checked, "a third check");
    const changes = lb.logger.lines.filter((line) => line.msg === "backend state changed");
    assert.equal(changes.length, 1);
    assert.match(String(changes[0].detail), /ConnectionRefused/);
  });
}

Deno.test("lb's stats and log say which engine relays and why", async () => {
  await using b = startBackend("b", { hostname: "localhost" });
  const named = { name: "b", addr: { hostname: "localhost", port: b.addr.port } };
  await using lb = await testBalancer([named]);
  const stats = lb.stats();
  assert.equal(stats.engine, "deno");
  assert.equal(stats.engineWhy, "not epoll: backend b's address localhost is a name");
  const line = lb.logger.lines.find((entry) => entry.msg === "using the deno engine");
  assert.equal(line?.why, stats.engineWhy);
});

Deno.test("lb on a machine without glibc runs the deno engine, and /stats says why", async () => {
  await using b = startBackend("b");
  await using lb = await testBalancer([b], { libc: "libc.so.not-here" });
  assert.equal(lb.engine, "deno");
  assert.match(lb.stats().engineWhy, /^not epoll: cannot load libc\.so\.not-here/);
  assert.equal(await whoAnswers(lb.addr), "b");
});
