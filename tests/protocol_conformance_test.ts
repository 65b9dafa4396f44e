/**
 * docs/protocol.md, case by case, from a device's point of view: raw bytes over TCP to a comm node
 * process and to lb(comm) (PROXY v2 to a node started with --proxy-protocol), the same cases
 * against both. A case here names the part of the document it checks; when the two disagree,
 * this fails. The rate limit is in protocol_backlog_test.ts, PROXY mismatches and probes in
 * protocol_misconfig_test.ts.
 */
import assert from "node:assert/strict";
import { registerDevice, setDeviceEnabled } from "@fleetmon/shared/db";
import {
  connectTestDevice,
  openTestDatabase,
  storedReadings,
  type TestDevice,
} from "@fleetmon/shared/testing";
import type { Service } from "@fleetmon/shared/supervisor";
import { startCommProcess, startLbProcess, stopAll } from "./_protocol_topology.ts";

const HELLO_TIMEOUT_MS = 1_500;
const IDLE_TIMEOUT_MS = 2_000;
const WAIT_MS = 10_000;
const TIMEOUT_FLAGS = [
  `--hello-timeout-ms=${HELLO_TIMEOUT_MS}`,
  `--idle-timeout-ms=${IDLE_TIMEOUT_MS}`,
];

const reading = (seq: number, extra: Record<string, unknown> = {}) => ({
  type: "reading",
  seq,
  ts: Date.now(),
  metrics: { cpu: 0.5 },
  ...extra,
});
/** A ping padded with spaces inside the object to exactly `bytes` bytes, line end not counted. */
const paddedPing = (bytes: number) => `{"type":"ping"${" ".repeat(bytes - 15)}}`;
const nacks = (device: TestDevice) => device.frames.filter((f) => f.type === "nack");
const ackedSeqs = (device: TestDevice) =>
  device.frames.filter((f) => f.type === "ack").flatMap((f) => {
    const seqs = [];
    for (let s = (f.from ?? f.seq) as number; s <= (f.seq as number); s++) seqs.push(s);
    return seqs;
  });

async function expectFatal(device: TestDevice, code: string, reason?: RegExp) {
  const nack = await device.waitFor((f) => f.type === "nack", WAIT_MS);
  assert.equal(nack.code, code, JSON.stringify(nack));
  assert.equal(nack.fatal, true, JSON.stringify(nack));
  if (reason) assert.match(String(nack.reason), reason);
  await device.closed;
}

Deno.test("protocol v1 holds as documented on a comm node and through lb(comm)", async (t) => {
  await using db = await openTestDatabase("conformance");
  const services: (Service | undefined)[] = [];
  try {
    const plain = await startCommProcess({ node: "cs-plain", uri: db.uri, flags: TIMEOUT_FLAGS });
    services.push(plain.service);
    const behind = await startCommProcess({
      node: "cs-behind",
      uri: db.uri,
      proxyProtocol: true,
      flags: TIMEOUT_FLAGS,
    });
    services.push(behind.service);
    const lb = await startLbProcess({
      backends: [{ name: "cs-behind", ...behind }],
      proxyProtocol: "v2",
    });
    services.push(lb.service);
    const targets = [
      { via: "a comm node", port: plain.port, node: "cs-plain" },
      { via: "lb(comm)", port: lb.port, node: "cs-behind" },
    ];
    let n = 0;
    for (const target of targets) {
      /** A device registered for this case alone, and a connection that said hello. */
      const device = async () => {
        const id = `conf-${++n}`;
        const { token } = await registerDevice(db.db, { id });
        return { id, token, connect: () => connectTestDevice(target.port) };
      };
      const welcomed = async () => {
        const d = await device();
        const conn = await d.connect();
        await conn.send({ type: "hello", v: 1, device: d.id, token: d.token });
        await conn.waitFor((f) => f.type === "welcome", WAIT_MS);
        return Object.assign(conn, { id: d.id, token: d.token });
      };
      const step = (name: string, fn: () => Promise<void>) => t.step(`${target.via}: ${name}`, fn);

      await step("hello gets welcome with every limit a device must respect", async () => {
        await using conn = await welcomed();
        const welcome = conn.frames[0];
        assert.equal(welcome.v, 1);
        assert.equal(welcome.node, target.node);
        assert.deepEqual(welcome.limits, {
          maxLineBytes: 65_536,
          maxMetrics: 64,
          helloTimeoutMs: HELLO_TIMEOUT_MS,
          idleTimeoutMs: IDLE_TIMEOUT_MS,
          ratePerSecond: 100,
          rateBurst: 200,
        });
      });

      await step(
        "readings are acked as exact ranges once stored, a resend is stored once",
        async () => {
          await using conn = await welcomed();
          await conn.send(reading(10), reading(11), reading(12));
          const ack = await conn.waitFor((f) => f.type === "ack", WAIT_MS);
          assert.deepEqual(ack, { type: "ack", from: 10, seq: 12 });
          const stored = async () => (await storedReadings(db.db, conn.id)).length;
          assert.equal(await stored(), 3, "acked means stored");
          // A resend, a lower new seq, and a field the document does not define.
          await conn.send(reading(11), reading(5, { note: "ignored" }));
          await conn.waitFor(() => ackedSeqs(conn).filter((s) => s === 11).length === 2, WAIT_MS);
          await conn.waitFor(() => ackedSeqs(conn).includes(5), WAIT_MS);
          assert.equal(await stored(), 4);
          assert.deepEqual(nacks(conn), []);
        },
      );

      await step("frames split at every byte or packed in one write read the same", async () => {
        const d = await device();
        await using conn = await d.connect();
        const hello = JSON.stringify({ type: "hello", v: 1, device: d.id, token: d.token });
        for (const byte of new TextEncoder().encode(hello + "\r\n")) {
          await conn.sendBytes(new Uint8Array([byte]));
        }
        await conn.waitFor((f) => f.type === "welcome", WAIT_MS);
        await conn.send(reading(1), { type: "ping", id: 1 }, reading(2));
        await conn.waitFor(() => ackedSeqs(conn).length === 2, WAIT_MS);
        assert.deepEqual(conn.frames.find((f) => f.type === "pong"), { type: "pong", id: 1 });
      });

      await step("a line of 65,536 bytes is accepted, its \\r counted", async () => {
        await using conn = await welcomed();
        await conn.send(paddedPing(65_536));
        await conn.send(paddedPing(65_535) + "\r");
        await conn.waitFor(
          () => conn.frames.filter((f) => f.type === "pong").length === 2,
          WAIT_MS,
        );
        await conn.send(paddedPing(65_536) + "\r");
        await expectFatal(conn, "too_large", /exceeds 65536 bytes/);
      });

      await step("byte 65,537 without a newline is refused at once", async () => {
        await using conn = await welcomed();
        await conn.sendBytes(new TextEncoder().encode(paddedPing(65_537)));
        await expectFatal(conn, "too_large");
      });

      await step("blank and whitespace-only lines are skipped", async () => {
        await using conn = await welcomed();
        await conn.send("", "   ", "\t \r", "\r", JSON.stringify({ type: "ping", id: "x" }));
        await conn.waitFor((f) => f.type === "pong", WAIT_MS);
        assert.deepEqual(nacks(conn), []);
      });

      await step("lines that are not a UTF-8 JSON object are fatal invalid_frame", async () => {
        for (const bad of ["nope", "[1]", '"text"', '{"type":"ping"']) {
          await using conn = await welcomed();
          await conn.send(bad);
          await expectFatal(conn, "invalid_frame");
        }
        await using conn = await welcomed();
        await conn.sendBytes(new Uint8Array([0x7b, 0xff, 0x7d, 0x0a]));
        await expectFatal(conn, "invalid_frame", /UTF-8/);
      });

      await step("before hello anything but hello is hello_required", async () => {
        for (const frame of [reading(1), { type: "ping" }, { type: "subscribe" }]) {
          const d = await device();
          await using conn = await d.connect();
          await conn.send(frame);
          await expectFatal(conn, "hello_required");
        }
      });

      await step("after hello an unknown type is invalid_frame", async () => {
        await using conn = await welcomed();
        await conn.send({ type: "subscribe" });
        await expectFatal(conn, "invalid_frame", /unknown type "subscribe"/);
      });

      await step("a hello that breaks a rule is fatal, naming the field", async () => {
        const d = await device();
        const base = { type: "hello", v: 1, device: d.id, token: d.token };
        const cases: [Record<string, unknown>, string, RegExp][] = [
          [{ ...base, token: undefined }, "invalid_frame", /token/],
          [{ ...base, token: "" }, "invalid_frame", /token/],
          [{ ...base, token: "x".repeat(257) }, "invalid_frame", /token/],
          [{ ...base, agent: "a".repeat(129) }, "invalid_frame", /agent/],
          [{ ...base, device: "bad id" }, "invalid_frame", /device/],
          [{ ...base, v: "1" }, "invalid_frame", /v/],
          [{ ...base, v: 2 }, "unsupported_version", /version 1/],
          [{ ...base, device: "conf-nobody" }, "unknown_device", /./],
          [{ ...base, token: "fm_wrong" }, "bad_token", /./],
        ];
        for (const [hello, code, reason] of cases) {
          await using conn = await d.connect();
          await conn.send(hello);
          await expectFatal(conn, code, reason);
        }
        await using twice = await welcomed();
        await twice.send({ type: "hello", v: 1, device: twice.id, token: twice.token });
        await expectFatal(twice, "invalid_frame", /already/);
        await setDeviceEnabled(db.db, d.id, false);
        await using disabled = await d.connect();
        await disabled.send(base);
        await expectFatal(disabled, "device_disabled");
      });

      await step("ping ids up to 64 characters and numbers are echoed", async () => {
        await using conn = await welcomed();
        await conn.send({ type: "ping" }, { type: "ping", id: 7 }, {
          type: "ping",
          id: "i".repeat(64),
        });
        await conn.waitFor(
          () => conn.frames.filter((f) => f.type === "pong").length === 3,
          WAIT_MS,
        );
        assert.deepEqual(conn.frames.filter((f) => f.type === "pong"), [
          { type: "pong" },
          { type: "pong", id: 7 },
          { type: "pong", id: "i".repeat(64) },
        ]);
        await conn.send({ type: "ping", id: "i".repeat(65) });
        await expectFatal(conn, "invalid_frame", /id/);
      });

      await step(
        "a bad reading is nacked alone, with its seq, and the connection goes on",
        async () => {
          await using conn = await welcomed();
          const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]));
          await conn.send(
            reading(1, { metrics: { cpu: "high" } }),
            reading(2, { metrics: many }),
            reading(3, { ts: Date.now() - 31 * 24 * 3600_000 }),
            reading(4, { metrics: { "a.b": 1 } }),
            reading(5, { metrics: {} }),
            reading(6),
          );
          await conn.waitFor(() => ackedSeqs(conn).includes(6), WAIT_MS);
          assert.deepEqual(nacks(conn).map((f) => [f.seq, f.code, f.fatal]), [
            [1, "invalid_reading", undefined],
            [2, "too_large", undefined],
            [3, "invalid_reading", undefined],
            [4, "invalid_reading", undefined],
            [5, "invalid_reading", undefined],
          ]);
        },
      );

      await step(
        "several connections of one device work at once, acks per connection",
        async () => {
          await using first = await welcomed();
          await using second = await connectTestDevice(target.port);
          await second.send({ type: "hello", v: 1, device: first.id, token: first.token });
          await second.waitFor((f) => f.type === "welcome", WAIT_MS);
          await first.send(reading(1), reading(2));
          await second.send(reading(3));
          await first.waitFor(() => ackedSeqs(first).length === 2, WAIT_MS);
          await second.waitFor(() => ackedSeqs(second).length === 1, WAIT_MS);
          assert.deepEqual([ackedSeqs(first), ackedSeqs(second)], [[1, 2], [3]]);
        },
      );

      await step("no hello within helloTimeoutMs is hello_timeout", async () => {
        const d = await device();
        await using conn = await d.connect();
        await conn.send(""); // a byte, so it is no probe
        await expectFatal(conn, "hello_timeout");
      });

      await step("blank lines do not keep an idle connection open", async () => {
        await using conn = await welcomed();
        const started = Date.now();
        const blanks = setInterval(() => conn.send("").catch(() => {}), 300);
        try {
          await expectFatal(conn, "idle_timeout");
        } finally {
          clearInterval(blanks);
        }
        assert.ok(Date.now() - started >= IDLE_TIMEOUT_MS - 100);
      });

      await step("disabling a connected device ends its session with token_revoked", async () => {
        await using conn = await welcomed();
        await setDeviceEnabled(db.db, conn.id, false);
        // A live device pings; without it the idle timeout (as long as comm's revocation poll)
        // could end the session first.
        const pings = setInterval(
          () => conn.send({ type: "ping", id: "alive" }).catch(() => {}),
          500,
        );
        try {
          await expectFatal(conn, "token_revoked");
        } finally {
          clearInterval(pings);
        }
      });
    }

    await t.step("a node that shuts down asks its devices to reconnect, then closes", async () => {
      const connections = [];
      for (const target of targets) {
        const id = `conf-${++n}`;
        const { token } = await registerDevice(db.db, { id });
        const conn = await connectTestDevice(target.port);
        await conn.send({ type: "hello", v: 1, device: id, token });
        await conn.waitFor((f) => f.type === "welcome", WAIT_MS);
        connections.push(conn);
      }
      await Promise.all([plain.service.stop(10_000), behind.service.stop(10_000)]);
      for (const conn of connections) {
        await using _ = conn;
        const reconnect = await conn.waitFor((f) => f.type === "reconnect", WAIT_MS);
        assert.equal(reconnect.reason, "draining");
        assert.equal(typeof reconnect.retryAfterMs, "number");
        await conn.closed;
      }
    });
  } finally {
    await stopAll(services);
  }
});
