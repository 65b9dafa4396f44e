import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { AcceptLoop } from "./listener.ts";

Deno.test("the accept loop survives accept errors such as EMFILE: it logs, backs off and carries on", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let failures = 3;
  const acceptor = {
    accept: () =>
      failures-- > 0
        ? Promise.reject(new Error("Too many open files (os error 24)"))
        : listener.accept(),
    close: () => listener.close(),
  };
  const logger = createMemoryLogger();
  const served = Promise.withResolvers<void>();
  const loop = new AcceptLoop({
    listener: acceptor,
    maxConnections: 10,
    handle: (conn) => {
      conn.close();
      served.resolve();
      return Promise.resolve();
    },
    logger,
    minBackoffMs: 1,
  });
  using client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  await served.promise;
  assert.equal(loop.acceptErrors, 3);
  const warnings = logger.lines.filter((line) =>
    line.msg === "cannot accept a connection; backing off"
  );
  assert.deepEqual(warnings.map((line) => line.backoffMs), [1, 2, 4]);
  assert.match(JSON.stringify(warnings[0].error), /Too many open files/);
  loop.stop();
  await loop.done;
  assert.equal(client.remoteAddr.port, listener.addr.port);
});

Deno.test("the accept loop stops when stopped, even while waiting for a free slot", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const release = Promise.withResolvers<void>();
  const loop = new AcceptLoop({
    listener,
    maxConnections: 1,
    handle: async (conn) => {
      await release.promise;
      conn.close();
    },
    logger: createMemoryLogger(),
  });
  const client = await Deno.connect({ hostname: "127.0.0.1", port: listener.addr.port });
  while (loop.active === 0) await new Promise((r) => setTimeout(r, 1));
  loop.stop();
  await loop.done;
  assert.equal(loop.active, 1, "the open connection goes on");
  release.resolve();
  await loop.idle();
  client.close();
});

Deno.test("the accept loop refuses a maxConnections below one", () => {
  assert.throws(
    () =>
      new AcceptLoop({
        listener: { accept: () => new Promise(() => {}), close: () => {} },
        maxConnections: 0,
        handle: () => Promise.resolve(),
        logger: createMemoryLogger(),
      }),
    RangeError,
  );
});

Deno.test("the accept loop holds off when told (out of descriptors elsewhere), without counting an accept error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const servedAt: number[] = [];
  const loop: AcceptLoop = new AcceptLoop({
    listener,
    maxConnections: 10,
    handle: (conn) => {
      servedAt.push(performance.now());
      if (servedAt.length === 1) loop.holdOff(150);
      conn.close();
      return Promise.resolve();
    },
    logger: createMemoryLogger(),
  });
  const addr = { hostname: "127.0.0.1", port: listener.addr.port };
  (await Deno.connect(addr)).close();
  while (servedAt.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
  (await Deno.connect(addr)).close(); // waits in the backlog while the loop holds off
  while (servedAt.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(servedAt[1] - servedAt[0] >= 140, `served ${servedAt[1] - servedAt[0]} ms apart`);
  assert.equal(loop.acceptErrors, 0);
  loop.stop();
  await loop.done;
});
