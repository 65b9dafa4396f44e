import assert from "node:assert/strict";
import { chooseEngine, engineUnavailableReason } from "./engine_factory.ts";

const listen = { hostname: "127.0.0.1", port: 7000 };
const byIp = [{ id: "cs0", address: { hostname: "10.0.0.10", port: 7101 } }];
const byName = [{ id: "cs1", address: { hostname: "cs1.internal", port: 7101 } }];

// These tests run with --allow-ffi on Linux, where the epoll engine can run.
Deno.test("auto picks epoll where it can run and every address is an IP literal", () => {
  const epoll = { engine: "epoll", why: "auto: epoll can run here" };
  assert.deepEqual(chooseEngine("auto", listen, byIp), epoll);
  assert.deepEqual(chooseEngine("auto", { hostname: "::", port: 7000 }, byIp), epoll);
});

Deno.test("auto falls back to deno for a backend given by name, and says why", () => {
  assert.deepEqual(chooseEngine("auto", listen, [...byIp, ...byName]), {
    engine: "deno",
    why: "not epoll: backend cs1's address cs1.internal is a name",
  });
  assert.equal(
    chooseEngine("auto", { hostname: "localhost", port: 7000 }, byIp).why,
    "not epoll: the listen address localhost is a name",
  );
});

Deno.test("an engine asked for by name runs, or the balancer refuses to start with the reason", () => {
  assert.deepEqual(chooseEngine("deno", listen, byName), { engine: "deno", why: "asked for" });
  assert.throws(
    () => chooseEngine("epoll", listen, byName),
    /Cannot use the epoll engine: backend cs1's address cs1.internal is a name/,
  );
  assert.equal(engineUnavailableReason("deno", listen, byName), undefined);
});

Deno.test("auto loads libc first, and falls back to deno where it cannot, saying why", () => {
  const chosen = chooseEngine("auto", listen, byIp, "libc.so.not-here");
  assert.equal(chosen.engine, "deno");
  assert.match(chosen.why, /^not epoll: cannot load libc\.so\.not-here: .*libc\.so\.not-here/);
  assert.throws(
    () => chooseEngine("epoll", listen, byIp, "libc.so.not-here"),
    /Cannot use the epoll engine: cannot load libc\.so\.not-here/,
  );
});
