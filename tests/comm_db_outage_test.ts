/**
 * A comm node whose database is stopped under it, then started again on the same port and data:
 * it holds readings back, acks nothing while down, and catches up once the database returns.
 */
import assert from "node:assert/strict";
import { createCommServer, createMongoDeviceAuthority, createMongoStore } from "@fleetmon/comm";
import { locateFerretDB, startFerretDB } from "@fleetmon/deploy/local";
import { connectDatabase, ensureIndexes, registerDevice } from "@fleetmon/shared/db";
import { storedReadings } from "@fleetmon/shared/testing";
import { createLogger, createMemoryLogger } from "@fleetmon/shared/log";
import { freePort } from "@fleetmon/shared/socket";
import { eventually } from "./_devices_stack.ts";
import { connectDevice } from "./_device_link.ts";

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
  let closeDevice = () => Promise.resolve();
  try {
    await ensureIndexes(database.db);
    const { token } = await registerDevice(database.db, { id: "dev-o" });
    const device = await connectDevice({ port: server.addr.port, device: "dev-o", token });
    closeDevice = () => device.close();
    const reading = (seq: number) => ({
      type: "reading",
      seq,
      ts: Date.now(),
      metrics: { v: seq },
    });
    for (let seq = 1; seq <= 100; seq++) await device.send(reading(seq));
    await device.waitForAcked(100, 5_000);

    await ferret.stop();
    const acksBefore = device.acks.length;
    for (let seq = 101; seq <= 1_000; seq++) await device.send(reading(seq));
    await eventually(() => server.stats.dbWriteErrors > 0, 10_000, "a failed write");
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(device.acks.length, acksBefore, "no ack while down");
    assert.ok(
      server.batcher.pending <= highWater + 100,
      `pending ${server.batcher.pending} stays bounded`,
    );
    assert.ok(server.stats.readingsAccepted < 1_000, "comm stopped reading from the socket");

    ferret = await startFerretDB({ bin, dataDir, port, logger: quiet });
    await device.waitForAcked(1_000, 30_000); // all 1000 readings acked
    assert.deepEqual(device.nacks, []);
    const stored = (await storedReadings(database.db, "dev-o")).length;
    assert.equal(stored, 1_000, "every acked reading is stored exactly once");
    assert.ok(logger.lines.some((l) => l.msg === "cannot store readings; retrying"));
  } finally {
    await closeDevice();
    await server.close({ timeoutMs: 2_000 });
    await database.close();
    await ferret.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
});
