/**
 * The seed's whole topology end to end, as `deno task start` runs it: devices → lb(comm) →
 * cs0/cs1 → database → ws0/ws1 → lb(web) → HTTPS client.
 */
import assert from "node:assert/strict";
import { type Service, startService } from "@fleetmon/shared/supervisor";
import type { Ports } from "@fleetmon/deploy/local";
import { connectDevice, type DeviceLink } from "./_device_link.ts";
import { httpsClient, login } from "./_https.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const PASSWORD = "e2e-password-123";

async function startTopology(): Promise<
  { fleet: Service; ready: Record<string, unknown>; dataDir: string }
> {
  const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-e2e-" });
  const fleet = await startService({
    name: "fleetmon",
    args: [
      "task",
      "--quiet",
      "start",
      "--port-base=0",
      `--data-dir=${dataDir}`,
    ],
    cwd: ROOT,
    env: { FLEETMON_ADMIN_PASSWORD: PASSWORD, MONGODB_URI: "" },
    ready: (entry) => entry.msg === "fleetmon ready",
    readyTimeoutMs: 120_000,
  });
  return { fleet, ready: fleet.readyEntry!, dataDir };
}

Deno.test("60 readings from 2 devices go through lb(comm) to both comm nodes and out of lb(web) over HTTPS", async () => {
  const { fleet, ready, dataDir } = await startTopology();
  const ports = ready.ports as Ports;
  const links: DeviceLink[] = [];
  try {
    const [demo1, demo2] = ready.demoDevices as { id: string; token: string }[];
    for (const demo of [demo1, demo2]) {
      links.push(await connectDevice({ port: ports.lbComm, device: demo.id, token: demo.token }));
    }
    const now = Date.now();
    for (let seq = 1; seq <= 30; seq++) {
      for (const link of links) {
        await link.send({ type: "reading", seq, ts: now + seq, metrics: { temp: 20 + seq / 10 } });
      }
    }
    for (const link of links) await link.waitForAcked(30, 10_000);
    for (const link of links) {
      assert.deepEqual(
        link.ackCounts(30),
        new Array(30).fill(1),
        `${link.device}: each seq acked exactly once`,
      );
      assert.deepEqual(link.nacks, []);
    }
    assert.deepEqual(
      new Set(links.map((l) => l.node)),
      new Set(["cs0", "cs1"]),
      "round robin used both comm nodes",
    );

    using client = await httpsClient(`${dataDir}/certs/cert.pem`);
    const web = `https://localhost:${ports.lbWeb}`;
    const cookie = await login(client, web, "admin", PASSWORD);
    let total = 0;
    for (const link of links) {
      const response = await fetch(`${web}/api/devices/${link.device}/readings?limit=1000`, {
        client,
        headers: { cookie },
      });
      assert.equal(response.status, 200);
      const { readings } = await response.json() as { readings: { seq: number; node: string }[] };
      assert.deepEqual(
        readings.map((r) => r.seq).sort((a, b) => a - b),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      assert.ok(
        readings.every((r) => r.node === link.node),
        "stored by the node that took the connection",
      );
      total += readings.length;
    }
    assert.equal(total, 60);
  } finally {
    for (const link of links) await link.close();
    await fleet.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
  assert.equal((await fleet.exited).success, true, "Ctrl-C (SIGTERM) ends fleetmon cleanly");
  for (const port of Object.values(ports).flat()) {
    await assert.rejects(
      Deno.connect({ hostname: "127.0.0.1", port }),
      `port ${port} is free again`,
    );
  }
});
