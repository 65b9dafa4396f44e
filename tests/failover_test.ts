/**
 * The seed's own verification: run cs0, cs1, ws0 and ws1 behind their load balancers, turn nodes
 * off and on under traffic, and watch the balancers switch — with nothing acked ever lost.
 */
import assert from "node:assert/strict";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { openTestDatabase, storedReadings } from "@fleetmon/shared/testing";
import { ensureSelfSignedCert } from "@fleetmon/web";
import { isListening, type Service, startService } from "@fleetmon/shared/supervisor";
import { connectDevice } from "./_device_link.ts";
import { httpsClient, login } from "./_https.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const at = (port: number) => `127.0.0.1:${port}`;
const CHECKS = ["--check-interval-ms=200", "--check-timeout-ms=200", "--rise=2", "--fall=2"];

interface BackendStats {
  id: string;
  state: string;
  total: number;
}

async function backends(adminPort: number): Promise<Record<string, BackendStats>> {
  const stats = await (await fetch(`http://${at(adminPort)}/stats`)).json();
  return Object.fromEntries((stats.backends as BackendStats[]).map((b) => [b.id, b]));
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("turning comm and web nodes off and on switches the load balancers and loses nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-failover-" });
  const services: Service[] = [];
  const database = await openTestDatabase("failover");
  const uri = database.uri;
  try {
    const { token } = await registerDevice(database.db, { id: "pump" });
    await createUser(database.db, { username: "admin", password: "failover-pass" });
    const cert = await ensureSelfSignedCert(`${dir}/certs`);
    const ports = {
      comm: [freePort(), freePort()],
      health: [freePort(), freePort()],
      web: [freePort(), freePort()],
      lbComm: freePort(),
      lbCommAdmin: freePort(),
      lbWeb: freePort(),
      lbWebAdmin: freePort(),
    };
    const deno = (
      script: string,
      args: string[],
    ) => ["run", "-A", `--config=${ROOT}deno.json`, `${ROOT}${script}`, ...args];
    const comm = (i: number) =>
      startService({
        name: `cs${i}`,
        args: deno("comm/main.ts", [
          `--node=cs${i}`,
          `--listen=${at(ports.comm[i])}`,
          `--health=${at(ports.health[i])}`,
        ]),
        env: { MONGODB_URI: uri },
        ready: isListening,
      });
    const web = async (i: number) => {
      const cwd = `${dir}/ws${i}`;
      await Deno.mkdir(`${cwd}/certs`, { recursive: true });
      await Deno.copyFile(cert.certFile, `${cwd}/certs/cert.pem`);
      await Deno.copyFile(cert.keyFile, `${cwd}/certs/key.pem`);
      return startService({
        name: `ws${i}`,
        args: deno("web/main.ts", [`--node=ws${i}`, `--listen=${at(ports.web[i])}`]),
        cwd,
        env: { MONGODB_URI: uri },
        ready: isListening,
      });
    };
    const cs = [await comm(0), await comm(1)];
    const ws = [await web(0), await web(1)];
    services.push(...cs, ...ws);
    services.push(
      await startService({
        name: "lb-comm",
        args: deno("lb/main.ts", [
          "--name=lb-comm",
          `--listen=${at(ports.lbComm)}`,
          `--admin=${at(ports.lbCommAdmin)}`,
          "--check=http",
          ...CHECKS,
          ...[0, 1].map((i) => `--backend=cs${i}=${at(ports.comm[i])},check=${ports.health[i]}`),
        ]),
        ready: isListening,
      }),
      await startService({
        name: "lb-web",
        args: deno("lb/main.ts", [
          "--name=lb-web",
          `--listen=${at(ports.lbWeb)}`,
          `--admin=${at(ports.lbWebAdmin)}`,
          "--check=https",
          `--check-ca-file=${cert.certFile}`,
          ...CHECKS,
          ...[0, 1].map((i) => `--backend=ws${i}=${at(ports.web[i])}`),
        ]),
        ready: isListening,
      }),
    );
    await until("all backends up", async () => {
      const [c, w] = [await backends(ports.lbCommAdmin), await backends(ports.lbWebAdmin)];
      return [c.cs0, c.cs1, w.ws0, w.ws1].every((b) => b.state === "up");
    });

    // A device sends through lb(comm); the node it landed on is switched off mid-stream.
    let link = await connectDevice({ port: ports.lbComm, device: "pump", token });
    const victim = link.node === "cs0" ? 0 : 1;
    const now = Date.now();
    const reading = (seq: number) => ({
      type: "reading",
      seq,
      ts: now + seq,
      metrics: { flow: seq },
    });
    for (let seq = 1; seq <= 50; seq++) await link.send(reading(seq));
    await link.waitForAcked(50, 10_000);
    await cs[victim].stop();
    await until(
      `cs${victim} marked down`,
      async () => (await backends(ports.lbCommAdmin))[`cs${victim}`].state === "down",
    );
    await link.close();

    // Reconnecting lands on the other node; resending what was sent stores nothing twice.
    link = await connectDevice({ port: ports.lbComm, device: "pump", token });
    assert.equal(
      link.node,
      `cs${1 - victim}`,
      "the balancer sends the device to the node still up",
    );
    for (let seq = 41; seq <= 100; seq++) await link.send(reading(seq));
    await link.waitForAcked(100, 10_000, 41);
    await link.close();

    // Switched back on, the node is taken back after `rise` checks and gets connections again.
    cs[victim] = await comm(victim);
    services.push(cs[victim]);
    await until(
      `cs${victim} back up`,
      async () => (await backends(ports.lbCommAdmin))[`cs${victim}`].state === "up",
    );
    const nodes = new Set<string>();
    for (let i = 0; i < 4; i++) {
      const again = await connectDevice({ port: ports.lbComm, device: "pump", token });
      nodes.add(again.node);
      await again.close();
    }
    assert.deepEqual(nodes, new Set(["cs0", "cs1"]), "round robin over both again");
    const stored = await storedReadings(database.db, "pump");
    assert.deepEqual(
      stored.map((r) => r.seq).sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, i) => i + 1),
    );

    // Users keep getting answers through lb(web) while a web node is off and back on.
    using client = await httpsClient(cert.certFile);
    const base = `https://localhost:${ports.lbWeb}`;
    const cookie = await login(client, base, "admin", "failover-pass");
    // A new client each time: an L4 balancer spreads connections, and fetch would keep one alive.
    const devicesOk = async () => {
      using fresh = await httpsClient(cert.certFile);
      const response = await fetch(`${base}/api/devices`, { client: fresh, headers: { cookie } });
      const body = await response.json();
      return response.status === 200 && body.devices.length === 1;
    };
    await ws[0].stop();
    await until(
      "ws0 marked down",
      async () => (await backends(ports.lbWebAdmin)).ws0.state === "down",
    );
    for (let i = 0; i < 6; i++) assert.ok(await devicesOk(), "answered with ws0 off");
    ws[0] = await web(0);
    services.push(ws[0]);
    await until("ws0 back up", async () => (await backends(ports.lbWebAdmin)).ws0.state === "up");
    const before = (await backends(ports.lbWebAdmin)).ws0.total;
    for (let i = 0; i < 6; i++) assert.ok(await devicesOk(), "answered with both on");
    assert.ok((await backends(ports.lbWebAdmin)).ws0.total > before, "ws0 serves again");
  } finally {
    for (const service of services.reverse()) await service.stop();
    await database[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});
