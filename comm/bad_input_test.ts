import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase, storedReadings } from "@fleetmon/shared/testing";
import { connectTestDevice, type TestDevice } from "./_test_device.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createCommServer } from "./server.ts";
import { createMongoStore } from "./store.ts";

const encoder = new TextEncoder();

Deno.test("bad input gets a clear nack or a close with a reason while other devices go on", async () => {
  await using t = await openTestDatabase();
  const good = await registerDevice(t.db, { id: "good" });
  const bad = await registerDevice(t.db, { id: "bad" });
  const logger = createMemoryLogger("comm");
  const server = createCommServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs0",
    logger,
    auth: createMongoDeviceAuthority(t.db),
    store: createMongoStore(t.db),
    flushIntervalMs: 10,
  });
  const port = server.addr.port;
  const hello = async (device: TestDevice) => {
    await device.send({ type: "hello", v: 1, device: "bad", token: bad.token });
    await device.waitFor((f) => f.type === "welcome");
  };
  const fatal = async (
    code: string,
    payload: Uint8Array | string,
    reason?: RegExp,
    withHello = true,
  ) => {
    await using device = await connectTestDevice(port);
    if (withHello) await hello(device);
    const bytes = typeof payload === "string" ? encoder.encode(payload) : payload;
    await device.sendBytes(bytes).catch(() => {}); // the server may close before all is written
    const nack = await device.waitFor((f) => f.type === "nack");
    assert.equal(nack.code, code, JSON.stringify(nack));
    assert.equal(nack.fatal, true);
    if (reason) assert.match(String(nack.reason), reason);
    await device.closed;
  };

  // A well-behaved device sends throughout; all of its readings must be stored and acked.
  await using steady = await connectTestDevice(port);
  await steady.send({ type: "hello", v: 1, device: "good", token: good.token });
  await steady.waitFor((f) => f.type === "welcome");
  let goodSeq = 0;
  const sendGood = () =>
    steady.send({ type: "reading", seq: ++goodSeq, ts: Date.now(), metrics: { ok: 1 } });

  const random = crypto.getRandomValues(new Uint8Array(512)).map((b) => (b === 10 ? 11 : b));
  await fatal("invalid_frame", new Uint8Array([...random, 10]));
  await sendGood();
  await fatal("invalid_frame", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 10]), /invalid UTF-8/);
  await fatal(
    "invalid_frame",
    '{"type":"reading","seq":1,"ts":1,"metrics":{"x":NaN}}\n',
    /invalid JSON/,
  );
  await fatal("invalid_frame", "[1,2,3]\n", /expected a JSON object/);
  await sendGood();
  await fatal("too_large", "x".repeat(70_000) + "\n", /line exceeds 65536 bytes/);
  await fatal(
    "hello_required",
    '{"type":"reading","seq":1,"ts":1,"metrics":{"x":1}}\n',
    undefined,
    false,
  );
  await fatal("hello_required", '{"type":"shutdown"}\n', undefined, false);
  await fatal("invalid_frame", '{"type":"shutdown"}\n', /unknown type "shutdown"/);
  await sendGood();

  // Ten megabytes without a newline: refused at 64 KiB, never buffered whole.
  const before = Deno.memoryUsage().rss;
  await fatal("too_large", new Uint8Array(10 << 20).fill(0x61), /line exceeds/);
  assert.ok(Deno.memoryUsage().rss - before < 64 << 20, "memory stays bounded");

  // Readings with wrong fields are refused one by one; the connection stays usable.
  {
    await using device = await connectTestDevice(port);
    await hello(device);
    const now = Date.now();
    const cases: [unknown, string][] = [
      [{ seq: "1", ts: now, metrics: { x: 1 } }, "invalid_reading"],
      [{ seq: 1e20, ts: now, metrics: { x: 1 } }, "invalid_reading"],
      [{ seq: 2, ts: now, metrics: { $where: 1 } }, "invalid_reading"],
      [{ seq: 3, ts: now, metrics: { __proto__x: 1 } }, "invalid_reading"],
      [{ seq: 4, ts: now, metrics: { x: "1" } }, "invalid_reading"],
      [{
        seq: 5,
        ts: now,
        metrics: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i])),
      }, "too_large"],
    ];
    for (const [fields] of cases) await device.send({ type: "reading", ...fields as object });
    await device.send('{"type":"reading","seq":6,"ts":' + now + ',"metrics":{"x":1e999}}');
    await device.send(
      '{"type":"reading","seq":7,"ts":' + now +
        ',"__proto__":{"polluted":1},"metrics":{"big":1e308}}',
    );
    await device.waitFor((f) => f.type === "ack" && f.seq === 7);
    const nacks = device.frames.filter((f) => f.type === "nack");
    assert.deepEqual(nacks.map((n) => n.code), [
      ...cases.map(([, code]) => code),
      "invalid_reading",
    ]);
    assert.ok(nacks.every((n) => !n.fatal && typeof n.reason === "string" && n.reason.length > 0));
    const stored = await storedReadings(t.db, "bad");
    assert.deepEqual(stored.map((r) => [r.seq, r.metrics]), [[7, { big: 1e308 }]]);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  }

  // Frames split at every byte boundary still make sense.
  {
    await using device = await connectTestDevice(port);
    (device.conn as Deno.TcpConn).setNoDelay(true);
    const text = JSON.stringify({ type: "hello", v: 1, device: "bad", token: bad.token }) + "\n" +
      JSON.stringify({ type: "reading", seq: 100, ts: Date.now(), metrics: { split: 1 } }) + "\r\n";
    for (const byte of encoder.encode(text)) await device.sendBytes(new Uint8Array([byte]));
    await device.waitFor((f) => f.type === "ack" && f.seq === 100);
  }

  await sendGood();
  await steady.waitFor((f) => f.type === "ack" && f.seq === goodSeq, 5_000);
  const goodStored = (await storedReadings(t.db, "good")).length;
  assert.equal(goodStored, goodSeq, "the well-behaved device lost nothing");
  assert.deepEqual(
    logger.lines.filter((l) => l.level === "error"),
    [],
    "nothing was an internal error",
  );
  await server.close();
});
