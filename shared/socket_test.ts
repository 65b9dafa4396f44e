import assert from "node:assert/strict";
import { connectWithTimeout, freePort } from "./socket.ts";

/**
 * A listener that never accepts, with its backlog filled: a further connect gets no answer.
 * The op sanitizer then shows whether connectWithTimeout left that connect running.
 */
async function stuckListener() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const filler: Deno.Conn[] = [];
  const address = { hostname: "127.0.0.1", port: listener.addr.port };
  for (let i = 0; i < 10_000; i++) {
    const attempt = new AbortController();
    const timer = setTimeout(() => attempt.abort(), 50);
    try {
      filler.push(await Deno.connect({ ...address, signal: attempt.signal }));
    } catch {
      break; // no answer within 50 ms: the backlog is full
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    address,
    [Symbol.dispose]() {
      for (const conn of filler) conn.close();
      listener.close();
    },
  };
}

Deno.test("connectWithTimeout connects to a listening port", async () => {
  using listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  using conn = await connectWithTimeout({ hostname: "127.0.0.1", port: listener.addr.port }, 5_000);
  using accepted = await listener.accept();
  assert.equal(conn.localAddr.port, (accepted.remoteAddr as Deno.NetAddr).port);
});

Deno.test("connectWithTimeout fails with TimedOut naming the address, and leaves no connect running", async () => {
  using stuck = await stuckListener();
  const started = performance.now();
  await assert.rejects(
    () => connectWithTimeout(stuck.address, 200),
    (error: Error) => {
      assert.ok(error instanceof Deno.errors.TimedOut);
      assert.equal(error.name, "TimedOut");
      assert.equal(
        error.message,
        `Cannot connect to 127.0.0.1:${stuck.address.port}: no answer in 200 ms`,
      );
      return true;
    },
  );
  assert.ok(performance.now() - started >= 190);
});

Deno.test("connectWithTimeout stops at once with the caller's reason when its signal aborts", async () => {
  using stuck = await stuckListener();
  const caller = new AbortController();
  setTimeout(() => caller.abort(new Error("shutting down")), 50);
  await assert.rejects(() => connectWithTimeout(stuck.address, 10_000, caller.signal), {
    message: "shutting down",
  });
});

Deno.test("connectWithTimeout passes a refusal on as it is", async () => {
  await assert.rejects(
    () => connectWithTimeout({ hostname: "127.0.0.1", port: freePort() }, 5_000),
    Deno.errors.ConnectionRefused,
  );
});

Deno.test("freePort names a port that can be listened on", () => {
  const port = freePort();
  using listener = Deno.listen({ hostname: "127.0.0.1", port });
  assert.equal(listener.addr.port, port);
});
