import assert from "node:assert/strict";
import { collections, connectDatabase, ensureIndexes, registerDevice } from "@fleetmon/shared/db";
import { locateFerretDB, startFerretDB } from "@fleetmon/shared/ferretdb";
import { freePort } from "@fleetmon/shared/socket";
import { createLogger, createMemoryLogger } from "@fleetmon/shared/log";
import { connectTestDevice, eventually } from "./_test_device.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createCommServer } from "./server.ts";
import { createMongoStore } from "./store.ts";

Deno.test("while the database is down comm holds back, acks nothing, and catches up when it returns", async () => {
  const quiet = createLogger({ service: "test-db", level: "error" });
  const bin = await locateFerretDB(quiet);
  const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-outage-" });
  const port = freePort();
  let ferret = await startFerretDB({ bin, dataDir, port, logger: quiet });
  const database = await connectDatabase(`${ferret.uri}outage`, {
    appName: "outage-test",
    serverSelectionTimeoutMs: 1_000,
  });
  const logger = createMemoryLogger("comm");
  const highWater = 200;
  const server = createCommServer({
    listen: { hostname: "127.0.0.1", port: 0 },
    node: "cs0",
    logger,
    auth: createMongoDeviceAuthority(database.db),
    store: createMongoStore(database.db),
    maxBatch: 50,
    flushIntervalMs: 10,
    highWater,
    rate: { perSecond: 10_000, burst: 10_000 },
  });
  try {
    await ensureIndexes(database.db);
    const { token } = await registerDevice(database.db, { id: "dev-o" });
    await using device = await connectTestDevice(server.addr.port);
    await device.send({ type: "hello", v: 1, device: "dev-o", token });
    await device.waitFor((f) => f.type === "welcome");
    const reading = (seq: number) => ({
      type: "reading",
      seq,
      ts: Date.now(),
      metrics: { v: seq },
    });
    for (let seq = 1; seq <= 100; seq++) await device.send(reading(seq));
    await device.waitFor((f) => f.type === "ack" && f.seq === 100);

    await ferret.stop();
    const acksBefore = device.frames.filter((f) => f.type === "ack").length;
    for (let seq = 101; seq <= 1_000; seq++) await device.send(reading(seq));
    await eventually(() => server.stats.dbWriteErrors > 0, 10_000, "a failed write");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(
      device.frames.filter((f) => f.type === "ack").length,
      acksBefore,
      "no ack while down",
    );
    assert.ok(
      server.batcher.pending <= highWater + 100,
      `pending ${server.batcher.pending} stays bounded`,
    );
    assert.ok(server.stats.readingsAccepted < 1_000, "comm stopped reading from the socket");

    ferret = await startFerretDB({ bin, dataDir, port, logger: quiet });
    const acked = () => {
      const seqs = new Set<number>();
      for (const f of device.frames) {
        if (f.type !== "ack") continue;
        for (let s = (f.from ?? f.seq) as number; s <= (f.seq as number); s++) seqs.add(s);
      }
      return seqs;
    };
    await eventually(() => acked().size === 1_000, 30_000, "all 1000 readings acked");
    assert.deepEqual(device.frames.filter((f) => f.type === "nack"), []);
    const stored = await collections(database.db).readings.countDocuments({ device: "dev-o" });
    assert.equal(stored, 1_000, "every acked reading is stored exactly once");
    assert.ok(logger.lines.some((l) => l.msg === "cannot store readings; retrying"));
  } finally {
    await server.close({ timeoutMs: 2_000 });
    await database.close();
    await ferret.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
