/**
 * A backlog never turns into a nack storm (docs/protocol.md, "Rate limit: backpressure, not
 * nacks"): 10,000 readings held while comm was down drain through lb(comm) with no nack, both
 * from the device library (which paces itself by welcome.limits) and from a raw socket that
 * writes them all at once (which comm slows by reading it more slowly). Prints the figures.
 */
import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { freePort } from "@fleetmon/shared/socket";
import {
  connectTestDevice,
  eventually,
  openTestDatabase,
  storedReadings,
} from "@fleetmon/shared/testing";
import { createDeviceClient } from "@fleetmon/devices/lib";
import type { Service } from "@fleetmon/shared/supervisor";
import { startCommProcess, startLbProcess, stopAll } from "./_protocol_topology.ts";

const BACKLOG = 10_000;
const RATE = 2_000;
const BURST = 200;
/** The most nacks a backlog may bring back: comm never refuses a reading for its rate. */
const MAX_NACKS = 0;

const ackedCount = (frames: Record<string, unknown>[]) =>
  frames.filter((f) => f.type === "ack")
    .reduce((n, f) => n + (f.seq as number) - ((f.from ?? f.seq) as number) + 1, 0);

Deno.test("a backlog of 10,000 readings drains through lb(comm) with no nack, paced or not", async () => {
  await using t = await openTestDatabase("backlog");
  const paced = { id: "backlog-paced", ...await registerDevice(t.db, { id: "backlog-paced" }) };
  const raw = { id: "backlog-raw", ...await registerDevice(t.db, { id: "backlog-raw" }) };
  const backend = { name: "cs0", port: freePort(), healthPort: freePort() };
  const services: (Service | undefined)[] = [];
  const nacks: Record<string, number> = {};
  try {
    const lb = await startLbProcess({ backends: [backend], proxyProtocol: "v2" });
    services.push(lb.service);
    const device = createDeviceClient({
      target: { hostname: "127.0.0.1", port: lb.port },
      device: paced.id,
      token: paced.token,
      logger: createMemoryLogger(),
      bufferLimit: 2 * BACKLOG,
      backoff: { initialMs: 100, maxMs: 500, jitter: "none" },
      events: { onNacked: (_seq, code) => nacks[code] = (nacks[code] ?? 0) + 1 },
    });
    try {
      // The outage: no comm node is up, so the device buffers everything it measures.
      for (let i = 0; i < BACKLOG; i++) device.send({ i });
      await eventually(() => device.stats.connectFailures >= 2, 10_000, "failed connects");
      assert.equal(device.stats.acked, 0);

      const comm = await startCommProcess({
        node: backend.name,
        uri: t.uri,
        proxyProtocol: true,
        port: backend.port,
        healthPort: backend.healthPort,
        flags: [`--rate-per-second=${RATE}`, `--rate-burst=${BURST}`],
      });
      services.push(comm.service);
      const started = Date.now();
      assert.equal(await device.drain(120_000), true, "every reading of the backlog acked");
      const pacedMs = Date.now() - started;
      const pacedNacks = Object.values(device.stats.nacked).reduce((a, b) => a + b, 0);

      // The same backlog from a device that ignores welcome.limits and writes it all at once.
      await using rawDevice = await connectTestDevice(lb.port);
      await rawDevice.send({ type: "hello", v: 1, device: raw.id, token: raw.token });
      await rawDevice.waitFor((f) => f.type === "welcome");
      const rawStarted = Date.now();
      const lines = Array.from(
        { length: BACKLOG },
        (_, i) => ({ type: "reading", seq: i + 1, ts: Date.now(), metrics: { i } }),
      );
      const writing = rawDevice.send(...lines);
      await eventually(
        () => ackedCount(rawDevice.frames) === BACKLOG,
        120_000,
        "raw backlog acked",
      );
      await writing;
      const rawMs = Date.now() - rawStarted;
      const rawNacks = rawDevice.frames.filter((f) => f.type === "nack").length;

      console.log(JSON.stringify({
        backlog: BACKLOG,
        ratePerSecond: RATE,
        rateBurst: BURST,
        paced: { drainMs: pacedMs, nacks: pacedNacks, resent: device.stats.resent },
        unpaced: { drainMs: rawMs, nacks: rawNacks },
        floorMs: Math.round(((BACKLOG - BURST) / RATE) * 1000),
      }));
      assert.ok(pacedNacks <= MAX_NACKS, `paced device got ${pacedNacks} nacks`);
      assert.ok(rawNacks <= MAX_NACKS, `unpaced device got ${rawNacks} nacks`);
      assert.deepEqual(nacks, {});
      // Neither can drain faster than the rate allows: comm did hold them back.
      assert.ok(rawMs >= ((BACKLOG - BURST) / RATE) * 1000 - 50, `unpaced took ${rawMs} ms`);
      assert.equal((await storedReadings(t.db, paced.id)).length, BACKLOG);
      assert.equal((await storedReadings(t.db, raw.id)).length, BACKLOG);
    } finally {
      await device.close();
    }
  } finally {
    await stopAll(services);
  }
});
