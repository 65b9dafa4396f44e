/**
 * A permanent write error never wedges ingest: a reading the database would refuse is nacked,
 * and every other device's readings are stored and acked meanwhile (issue 10, point 6).
 */
import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { openTestDatabase } from "@fleetmon/shared/testing";
import type { Db } from "mongodb";
import { connectTestDevice, eventually, type TestDevice } from "./_test_device.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createCommServer } from "./server.ts";
import { type CommStore, createMongoStore, isPermanentWriteError } from "./store.ts";

function startComm(db: Db, store: CommStore) {
  return createCommServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs0",
    logger: createMemoryLogger("comm"),
    auth: createMongoDeviceAuthority(db),
    store,
    flushIntervalMs: 5,
    maxBatch: 64,
  });
}

async function helloDevice(port: number, id: string, token: string): Promise<TestDevice> {
  const device = await connectTestDevice(port);
  await device.send({ type: "hello", v: 1, device: id, token });
  await device.waitFor((f) => f.type === "welcome");
  return device;
}

/** Whether an ack frame ({seq, from?}: the range from..seq) covers `seq`. */
const acked = (device: Pick<TestDevice, "frames">, seq: number) =>
  device.frames.some((f) =>
    f.type === "ack" && Number(f.from ?? f.seq) <= seq && seq <= Number(f.seq)
  );

Deno.test("the metric x:y.z-w from one device is refused while other devices stream and are acked", async () => {
  await using t = await openTestDatabase();
  const server = startComm(t.db, createMongoStore(t.db));
  try {
    const devices = await Promise.all(
      ["d1", "d2", "d3", "poison"].map((id) => registerDevice(t.db, { id })),
    );
    const [a, b, c, poison] = await Promise.all(
      devices.map((d) => helloDevice(server.addr.port, d.device._id, d.token)),
    );
    await using _a = a, _b = b, _c = c, _p = poison;
    for (let seq = 1; seq <= 30; seq++) {
      const ts = Date.now();
      for (const device of [a, b, c]) {
        await device.send({ type: "reading", seq, ts, metrics: { cpu: seq, "x:y_z-w": 1 } });
      }
      const metrics = seq % 3 === 0 ? { "x:y.z-w": 1 } : { cpu: seq };
      await poison.send({ type: "reading", seq, ts, metrics });
    }
    await eventually(() => [a, b, c].every((d) => acked(d, 30)) && acked(poison, 29));
    const nacks = poison.frames.filter((f) => f.type === "nack");
    assert.deepEqual(nacks.map((f) => f.seq), [3, 6, 9, 12, 15, 18, 21, 24, 27, 30]);
    assert.ok(nacks.every((f) => f.code === "invalid_reading" && !f.fatal));
    assert.match(String(nacks[0].reason), /metric names/);
    assert.equal(server.stats.dbWriteErrors, 0);
    assert.equal(server.batcher.failing, false);
  } finally {
    await server.close({ timeoutMs: 1_000 });
  }
});

/**
 * A store whose write fails with the database's own refusal whenever the batch holds one of
 * `device`'s even readings. (Metric names no longer reach the database as field names: chunks
 * keep their values in one string. The refusal is real, of a document with a dotted field name.)
 */
function refusingStore(db: Db, device: string): CommStore {
  const real = createMongoStore(db);
  return {
    ...real,
    async writeReadings(docs) {
      if (docs.some((doc) => doc.device === device && doc.seq % 2 === 0)) {
        await db.collection("refused").insertOne({ m: { "a.b": 1 } });
      }
      return real.writeReadings(docs);
    },
  };
}

Deno.test("readings the database itself refuses are found by splitting the batch, nacked, and the rest stored and acked", async () => {
  await using t = await openTestDatabase();
  const server = startComm(t.db, refusingStore(t.db, "odd"));
  try {
    const [good, odd] = await Promise.all(
      ["good", "odd"].map((id) => registerDevice(t.db, { id })),
    );
    await using steady = await helloDevice(server.addr.port, good.device._id, good.token);
    await using bad = await helloDevice(server.addr.port, odd.device._id, odd.token);
    for (let seq = 1; seq <= 20; seq++) {
      const ts = Date.now();
      await steady.send({ type: "reading", seq, ts, metrics: { cpu: seq } });
      await bad.send({ type: "reading", seq, ts, metrics: { cpu: seq } });
    }
    await eventually(() =>
      acked(steady, 20) && acked(bad, 19) &&
      bad.frames.filter((f) => f.type === "nack").length === 10
    );
    const nacks = bad.frames.filter((f) => f.type === "nack");
    assert.deepEqual(nacks.map((f) => f.seq).sort((x, y) => Number(x) - Number(y)), [
      2,
      4,
      6,
      8,
      10,
      12,
      14,
      16,
      18,
      20,
    ]);
    assert.ok(nacks.every((f) => f.code === "invalid_reading"));
    assert.match(String(nacks[0].reason), /database refused/);
    for (let seq = 1; seq <= 19; seq += 2) assert.ok(acked(bad, seq), `seq ${seq} acked`);
    for (let seq = 2; seq <= 20; seq += 2) assert.ok(!acked(bad, seq), `seq ${seq} not acked`);
    assert.equal(server.batcher.pending, 0);
    assert.equal(server.batcher.failing, false);
  } finally {
    await server.close({ timeoutMs: 1_000 });
  }
});

Deno.test("isPermanentWriteError tells a refused document from a transient failure", async () => {
  await using t = await openTestDatabase();
  const error = await t.db.collection("x").insertOne({ m: { "a.b": 1 } }).catch((e) => e);
  assert.equal(isPermanentWriteError(error), true, String(error));
  const bulk = await t.db.collection("x").insertMany([{ ok: 1 }, { m: { $x: 1 } }], {
    ordered: false,
  }).catch((e) => e);
  assert.equal(isPermanentWriteError(bulk), true, String(bulk));
  const timeout = Object.assign(new Error("timed out"), { name: "MongoOperationTimeoutError" });
  assert.equal(isPermanentWriteError(timeout), false);
  assert.equal(isPermanentWriteError(new Error("connection reset")), false);
});
