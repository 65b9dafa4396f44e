import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { Deadlines } from "../deadlines.ts";
import { SharedCounters } from "../shared_counters.ts";
import { WorkerTargets } from "../worker_targets.ts";
import type { ProxyContext } from "../connect_policy.ts";
import { RoundRobin } from "../round_robin.ts";
import { readLine, send, startBackend, type TestBackend, waitFor } from "../_test_helpers.ts";
import { EpollDataPlane } from "./data_plane.ts";

const listen = { hostname: "127.0.0.1", port: 0 };

/** What the data plane's worker gives an engine, on real backends. */
function proxyContext(backends: TestBackend[]): ProxyContext {
  const logger = createMemoryLogger("lb");
  const counters = new SharedCounters();
  const targets = new WorkerTargets({
    counters,
    logger,
    onFailedConnect: () => {},
    onReleased: () => {},
  });
  targets.set(backends.map((b, slot) => {
    counters.reset(slot);
    return { slot, id: b.name, address: b.addr };
  }));
  return {
    targets,
    strategy: new RoundRobin(),
    connectTimeoutMs: 1000,
    deadlines: new Deadlines(50),
    retries: 0,
    counters: { total: 0, noBackend: 0 },
    logger,
    outOfDescriptors: () => {},
    closed: false,
  };
}

Deno.test("epoll engine: a handler that throws closes its connection and frees its slot", async () => {
  await using backend = startBackend("cs0");
  const proxy = proxyContext([backend]);
  // A bug in the relay's bookkeeping: counting the client's first bytes throws, once.
  let throws = 1;
  let txBytes = 0;
  Object.defineProperty(proxy.targets.list[0], "txBytes", {
    get: () => txBytes,
    set: (value: number) => {
      if (throws-- > 0) throw new Error("counter broke");
      txBytes = value;
    },
  });
  let fatal: unknown;
  const plane = new EpollDataPlane({
    listen,
    maxConnections: 1,
    proxy,
    sliceMs: 50,
    quickAck: false,
    onFatal: (error) => fatal = error,
  });
  try {
    const address = { hostname: listen.hostname, port: plane.port };
    {
      const conn = await Deno.connect(address);
      assert.equal(await readLine(conn), "cs0");
      await send(conn, "hello\n");
      // Bounded: a connection the engine leaks would never end.
      let gaveUp = false;
      const timer = setTimeout(() => {
        gaveUp = true;
        conn.close();
      }, 5000);
      const ended = await conn.read(new Uint8Array(16)).catch(() => null);
      clearTimeout(timer);
      assert.ok(!gaveUp, "the failed connection is closed within 5 s");
      assert.equal(ended, null);
      if (!gaveUp) conn.close();
    }
    await waitFor(() => plane.active === 0, "the failed connection's slot is free");
    // With one slot only, the next client is served only if that slot came back.
    using next = await Deno.connect(address);
    assert.equal(await readLine(next), "cs0");
    await send(next, "again\n");
    assert.equal(await readLine(next), "again");
    const logged = (proxy.logger as ReturnType<typeof createMemoryLogger>).lines;
    assert.ok(logged.some((r) => r.msg === "epoll engine failed"), "the fault is logged");
    assert.equal(fatal, undefined, "one connection's fault is not the engine's");
  } finally {
    await plane.stopAccepting();
    proxy.closed = true;
    for (const target of proxy.targets.list) {
      for (const relay of target.connections) relay.close("test over");
    }
    await plane.idle();
    await plane.close();
    proxy.deadlines.stop();
  }
});
