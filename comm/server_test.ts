import assert from "node:assert/strict";
import type { Db } from "mongodb";
import {
  collections,
  registerDevice,
  rotateDeviceToken,
  setDeviceEnabled,
} from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { encodeProxyV1, encodeProxyV2 } from "@fleetmon/shared/proxy_protocol";
import { openTestDatabase, storedReadings } from "@fleetmon/shared/testing";
import { rawChunks } from "@fleetmon/shared/readings";
import { connectTestDevice, eventually } from "./_test_device.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { type CommServerOptions, createCommServer } from "./server.ts";
import { createMongoStore } from "./store.ts";

function startComm(db: Db, overrides: Partial<CommServerOptions> = {}) {
  const logger = createMemoryLogger("comm");
  const server = createCommServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs-test",
    logger,
    auth: createMongoDeviceAuthority(db),
    store: createMongoStore(db),
    flushIntervalMs: 10,
    lastReadingsFlushMs: 50,
    ...overrides,
  });
  return { server, logger, port: server.addr.port, [Symbol.asyncDispose]: () => server.close() };
}

const reading = (seq: number, metrics: Record<string, unknown> = { cpu: seq / 10 }) => ({
  type: "reading",
  seq,
  ts: Date.now(),
  metrics,
});

Deno.test("comm welcomes a known device, stores its readings and acks them as one range", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-a" });
  await using comm = startComm(t.db);
  await using device = await connectTestDevice(comm.port);
  await device.send({ type: "hello", v: 1, device: "dev-a", token });
  assert.equal((await device.waitFor((f) => f.type === "welcome")).node, "cs-test");
  await device.send(reading(1), reading(2), reading(3));
  await device.waitFor((f) => f.type === "ack" && f.seq === 3);
  assert.deepEqual(device.frames.filter((f) => f.type === "ack"), [{
    type: "ack",
    from: 1,
    seq: 3,
  }]);
  const stored = await storedReadings(t.db, "dev-a");
  assert.deepEqual(stored.map((r) => [r.seq, r.node, r.metrics.cpu]), [
    [1, "cs-test", 0.1],
    [2, "cs-test", 0.2],
    [3, "cs-test", 0.3],
  ]);
  await eventually(
    async () => {
      const doc = await collections(t.db).devices.findOne({ _id: "dev-a" });
      return doc?.last?.seq === 3 && doc.last.metrics.cpu === 0.3 && doc.last.node === "cs-test";
    },
    3_000,
    "the device's last reading",
  );
});

Deno.test("a resent reading is acked again and never stored twice, even on another node", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-b" });
  await using cs0 = startComm(t.db, { node: "cs0" });
  await using cs1 = startComm(t.db, { node: "cs1" });
  for (const comm of [cs0, cs1, cs0]) {
    await using device = await connectTestDevice(comm.port);
    await device.send({ type: "hello", v: 1, device: "dev-b", token }, reading(1), reading(2));
    await device.waitFor((f) => f.type === "ack" && f.seq === 2);
  }
  const stored = await storedReadings(t.db, "dev-b");
  assert.equal(stored.length, 2);
  assert.ok(stored.every((r) => r.node === "cs0"), "the first stored copy wins");
});

Deno.test("comm refuses unknown devices, wrong tokens, disabled devices and other versions", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-c" });
  await registerDevice(t.db, { id: "dev-off" }).then(() =>
    setDeviceEnabled(t.db, "dev-off", false)
  );
  await using comm = startComm(t.db);
  const cases: [Record<string, unknown>, string][] = [
    [{ device: "nobody", token }, "unknown_device"],
    [{ device: "dev-c", token: "fm_wrong" }, "bad_token"],
    [{ device: "dev-c", token, v: 2 }, "unsupported_version"],
  ];
  for (const [fields, code] of cases) {
    await using device = await connectTestDevice(comm.port);
    await device.send({ type: "hello", v: 1, ...fields });
    const nack = await device.waitFor((f) => f.type === "nack");
    assert.equal(nack.code, code);
    assert.equal(nack.fatal, true);
    await device.closed;
  }
  const disabledToken = await rotateDeviceToken(t.db, "dev-off");
  await using disabled = await connectTestDevice(comm.port);
  await disabled.send({ type: "hello", v: 1, device: "dev-off", token: disabledToken });
  assert.equal((await disabled.waitFor((f) => f.type === "nack")).code, "device_disabled");
  await using early = await connectTestDevice(comm.port);
  await early.send(reading(1));
  assert.equal((await early.waitFor((f) => f.type === "nack")).code, "hello_required");
  assert.equal(await rawChunks(t.db).countDocuments(), 0);
});

Deno.test("disabling a device or rotating its token ends its live sessions within seconds", async () => {
  await using t = await openTestDatabase();
  const one = await registerDevice(t.db, { id: "dev-d1" });
  const two = await registerDevice(t.db, { id: "dev-d2" });
  await using comm = startComm(t.db); // the default poll, to show the 5 s promise holds
  await using d1 = await connectTestDevice(comm.port);
  await using d2 = await connectTestDevice(comm.port);
  await d1.send({ type: "hello", v: 1, device: "dev-d1", token: one.token });
  await d2.send({ type: "hello", v: 1, device: "dev-d2", token: two.token });
  await d1.waitFor((f) => f.type === "welcome");
  await d2.waitFor((f) => f.type === "welcome");
  await setDeviceEnabled(t.db, "dev-d1", false);
  await rotateDeviceToken(t.db, "dev-d2");
  for (const device of [d1, d2]) {
    const nack = await device.waitFor((f) => f.type === "nack", 5_000);
    assert.equal(nack.code, "token_revoked");
    await device.closed;
  }
});

Deno.test("load balancer probes are counted and never logged as errors", async () => {
  await using t = await openTestDatabase();
  await using comm = startComm(t.db);
  for (let i = 0; i < 200; i++) {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: comm.port });
    conn.close();
  }
  await eventually(() => comm.server.stats.probes === 200, 5_000, "200 probes");
  assert.equal(comm.server.stats.connectionsActive, 0);
  const noisy = comm.logger.lines.filter((l) => l.level === "warn" || l.level === "error");
  assert.deepEqual(noisy, []);
});

Deno.test("comm closes a connection that sends no hello or goes idle", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-idle" });
  await using comm = startComm(t.db, { limits: { helloTimeoutMs: 300, idleTimeoutMs: 600 } });
  await using silent = await connectTestDevice(comm.port);
  assert.equal((await silent.waitFor((f) => f.type === "nack")).code, "hello_timeout");
  await silent.closed;
  await using idle = await connectTestDevice(comm.port);
  await idle.send({ type: "hello", v: 1, device: "dev-idle", token });
  await idle.waitFor((f) => f.type === "welcome");
  // A byte now and then is not a frame, so it does not keep the connection alive.
  await idle.sendBytes(new TextEncoder().encode("{"));
  assert.equal((await idle.waitFor((f) => f.type === "nack", 3_000)).code, "idle_timeout");
  await idle.closed;
});

Deno.test("closing the node tells devices to reconnect and acks what was in flight", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-e" });
  const comm = startComm(t.db, { flushIntervalMs: 200 });
  await using device = await connectTestDevice(comm.port);
  await device.send({ type: "hello", v: 1, device: "dev-e", token }, reading(1), reading(2));
  await device.waitFor((f) => f.type === "welcome");
  await comm.server.close();
  await device.closed;
  const kinds = device.frames.map((f) => f.type);
  assert.deepEqual(kinds, ["welcome", "reconnect", "ack"]);
  assert.equal((await storedReadings(t.db, "dev-e")).length, 2);
  await assert.rejects(Deno.connect({ hostname: "127.0.0.1", port: comm.port }));
});

Deno.test("closing the node ends at its timeout when the database never finishes the rollups", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-stuck" });
  const store = { ...createMongoStore(t.db), rollUp: () => new Promise<number>(() => {}) };
  const comm = startComm(t.db, { store });
  await using device = await connectTestDevice(comm.port);
  await device.send({ type: "hello", v: 1, device: "dev-stuck", token }, reading(1));
  await device.waitFor((f) => f.type === "ack");
  await comm.server.close({ timeoutMs: 200 });
  await device.closed;
  assert.ok(
    comm.logger.lines.some((l) =>
      l.msg === "closing before device status and rollups were written"
    ),
  );
  assert.equal((await storedReadings(t.db, "dev-stuck")).length, 1);
});

Deno.test("a burst of readings larger than the read buffer is parsed across chunk boundaries", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-burst" });
  await using comm = startComm(t.db, { rate: { perSecond: 10_000, burst: 10_000 } });
  await using device = await connectTestDevice(comm.port);
  await device.send({ type: "hello", v: 1, device: "dev-burst", token });
  await device.waitFor((f) => f.type === "welcome");
  await device.send(
    ...Array.from({ length: 2_000 }, (_, i) => reading(i + 1, { value: i, pad: 1e-300 })),
  );
  await eventually(
    () => {
      const covered = device.frames.filter((f) => f.type === "ack")
        .reduce((n, f) => n + (f.seq as number) - ((f.from ?? f.seq) as number) + 1, 0);
      return covered === 2_000;
    },
    10_000,
    "2000 readings acked",
  );
  assert.deepEqual(device.frames.filter((f) => f.type === "nack"), []);
  assert.equal((await storedReadings(t.db, "dev-burst")).length, 2_000);
});

Deno.test("behind a PROXY protocol balancer comm logs the device's own address", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-p" });
  await using comm = startComm(t.db, { proxyProtocol: true });
  const device = { hostname: "203.0.113.7", port: 50_123 };
  const lb = { hostname: "127.0.0.1", port: comm.port };
  for (const header of [encodeProxyV1(device, lb), encodeProxyV2(device, lb)]) {
    await using conn = await connectTestDevice(comm.port);
    await conn.sendBytes(header);
    await conn.send({ type: "hello", v: 1, device: "dev-p", token: "fm_wrong" });
    assert.equal((await conn.waitFor((f) => f.type === "nack")).code, "bad_token");
  }
  const refusals = comm.logger.lines.filter((l) => l.msg === "device refused");
  assert.deepEqual(refusals.map((l) => l.remote), ["203.0.113.7:50123", "203.0.113.7:50123"]);
  await using direct = await connectTestDevice(comm.port);
  await direct.send({ type: "hello", v: 1, device: "dev-p", token });
  await direct.closed;
  assert.deepEqual(direct.frames.map((f) => [f.code, f.fatal]), [["invalid_frame", true]]);
  assert.match(String(direct.frames[0].reason), /no PROXY protocol header.*--proxy-protocol/);
  const logged = comm.logger.lines.filter((l) => l.msg === "PROXY protocol mismatch");
  assert.deepEqual(logged.map((l) => [l.level, l.setting]), [["error", "--proxy-protocol"]]);
  assert.equal(comm.server.misconfiguration(), undefined, "one stray connection of three");
});

Deno.test("a device over its rate is read more slowly, never nacked, and welcome says the rate", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-fast" });
  await using comm = startComm(t.db, { rate: { perSecond: 200, burst: 50 } });
  await using device = await connectTestDevice(comm.port);
  await device.send({ type: "hello", v: 1, device: "dev-fast", token });
  const welcome = await device.waitFor((f) => f.type === "welcome");
  const limits = welcome.limits as Record<string, number>;
  assert.equal(limits.ratePerSecond, 200);
  assert.equal(limits.rateBurst, 50);
  const started = Date.now();
  await device.send(...Array.from({ length: 250 }, (_, i) => reading(i + 1)));
  await eventually(
    () =>
      device.frames.filter((f) => f.type === "ack")
        .reduce((n, f) => n + (f.seq as number) - ((f.from ?? f.seq) as number) + 1, 0) === 250,
    20_000,
    "250 readings acked",
  );
  // 200 readings beyond the burst at 200 a second: no sooner than one second.
  assert.ok(Date.now() - started >= 1_000 - 20, `took ${Date.now() - started} ms`);
  assert.deepEqual(device.frames.filter((f) => f.type === "nack"), []);
  assert.ok(comm.server.stats.ratePauses > 0);
});

Deno.test("a node without --proxy-protocol refuses a PROXY header by name and fails health once most connections have one", async () => {
  await using t = await openTestDatabase();
  const { token } = await registerDevice(t.db, { id: "dev-q" });
  await using comm = startComm(t.db);
  const device = { hostname: "203.0.113.7", port: 50_123 };
  const lb = { hostname: "127.0.0.1", port: comm.port };
  for (const header of [encodeProxyV1(device, lb), encodeProxyV2(device, lb), encodeProxyV2()]) {
    await using conn = await connectTestDevice(comm.port);
    await conn.sendBytes(header);
    await conn.send({ type: "hello", v: 1, device: "dev-q", token });
    const nack = await conn.waitFor((f) => f.type === "nack");
    assert.equal(nack.code, "invalid_frame");
    assert.equal(nack.fatal, true);
    assert.match(String(nack.reason), /PROXY protocol header arrived.*without --proxy-protocol/);
    await conn.closed;
  }
  assert.match(comm.server.misconfiguration() ?? "", /--proxy-protocol is off/);
});
