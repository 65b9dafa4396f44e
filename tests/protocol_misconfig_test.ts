/**
 * What an operator sees when lb(comm) and comm disagree about PROXY headers, and what probes
 * cost: docs/protocol.md ("Framing", "Session") and docs/comm.md ("Health, metrics…"), with
 * real comm and lb processes.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { registerDevice } from "@fleetmon/shared/db";
import { connectTestDevice, eventually, openTestDatabase } from "@fleetmon/shared/testing";
import type { Service } from "@fleetmon/shared/supervisor";
import { startCommProcess, startLbProcess, stopAll } from "./_protocol_topology.ts";

const ROOT = new URL("..", import.meta.url).pathname;

Deno.test("lb(comm) and comm set apart on --proxy-protocol: devices are told, comm fails /healthz, lb takes it out, the simulator fails", async () => {
  await using db = await openTestDatabase("misconfig");
  const { token } = await registerDevice(db.db, { id: "mis-1" });
  const services: (Service | undefined)[] = [];
  try {
    // One node requires PROXY headers and gets none; the other gets v2 headers it did not ask for.
    const wants = await startCommProcess({ node: "cs-wants", uri: db.uri, proxyProtocol: true });
    const plain = await startCommProcess({ node: "cs-plain", uri: db.uri });
    services.push(wants.service, plain.service);
    const lb = await startLbProcess({
      backends: [{ name: "cs-wants", ...wants, proxy: "off" }, {
        name: "cs-plain",
        ...plain,
        proxy: "v2",
      }],
      proxyProtocol: "off",
    });
    services.push(lb.service);
    const stateOf = (backend: string, to: string) => (entry: Record<string, unknown>) =>
      entry.msg === "backend state changed" && entry.backend === backend && entry.to === to;
    await lb.service.waitFor(stateOf("cs-wants", "up"), 10_000);
    await lb.service.waitFor(stateOf("cs-plain", "up"), 10_000);

    const reasons: string[] = [];
    for (let i = 0; i < 6; i++) {
      await using device = await connectTestDevice(lb.port);
      await device.send({ type: "hello", v: 1, device: "mis-1", token });
      const nack = await device.waitFor((f) => f.type === "nack", 10_000);
      assert.equal(nack.code, "invalid_frame");
      assert.equal(nack.fatal, true);
      reasons.push(String(nack.reason));
      await device.closed;
    }
    assert.ok(
      reasons.some((r) =>
        /no PROXY protocol header, but this node runs with --proxy-protocol/.test(r)
      ),
    );
    assert.ok(
      reasons.some((r) =>
        /PROXY protocol header arrived, but this node runs without --proxy-protocol/.test(r)
      ),
    );

    for (const [node, setting] of [[wants, "on"], [plain, "off"]] as const) {
      const response = await fetch(`http://127.0.0.1:${node.healthPort}/healthz`);
      const body = await response.json();
      assert.equal(response.status, 503, JSON.stringify(body));
      assert.equal(body.db, "up");
      assert.match(
        body.error,
        new RegExp(`PROXY protocol mismatch: .*--proxy-protocol is ${setting}`),
      );
      const logged = node.service.entries.find((e) => e.msg === "PROXY protocol mismatch");
      assert.equal(logged?.level, "error");
      assert.equal(logged?.setting, "--proxy-protocol");
    }
    const down = await lb.service.waitFor(stateOf("cs-wants", "down"), 10_000);
    assert.match(String(down.detail), /503/);
    await lb.service.waitFor(stateOf("cs-plain", "down"), 10_000);

    // The simulator, pointed at this lb(comm), says FAILED and why, and exits 1.
    const sim = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-all",
        `${ROOT}devices/sim/main.ts`,
        "--devices=5",
        "--duration=1",
        "--connect-timeout-ms=3000",
        "--drain-timeout-ms=1000",
        `--target=127.0.0.1:${lb.port}`,
      ],
      env: { MONGODB_URI: db.uri, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const summary = new TextDecoder().decode(sim.stderr);
    assert.equal(sim.code, 1, summary);
    assert.match(summary, /result {6}FAILED: 5 of 5 devices never connected/);
    assert.match(summary, /5 × never connected: /);
    const stdout = new TextDecoder().decode(sim.stdout).trim().split("\n");
    const report = JSON.parse(stdout.at(-1)!);
    assert.equal(report.ok, false);
    assert.equal(report.ever_connected, 0);
  } finally {
    await stopAll(services);
  }
});

Deno.test("connections closed without a byte, by FIN or by RST, are counted as probes and never logged", async () => {
  await using db = await openTestDatabase("probes");
  const comm = await startCommProcess({ node: "cs-probed", uri: db.uri });
  try {
    const metric = async (name: string) => {
      const text = await (await fetch(`http://127.0.0.1:${comm.healthPort}/metrics`)).text();
      const line = text.split("\n").find((l) =>
        l.startsWith(`${name} `) || l.startsWith(`${name}{`)
      );
      return Number(line?.split(" ").at(-1));
    };
    const before = {
      probes: await metric("fleetmon_comm_probes_total"),
      connections: await metric("fleetmon_comm_connections_total"),
      logged: comm.service.entries.length,
    };
    for (let i = 0; i < 5; i++) {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: comm.port });
      conn.close();
    }
    for (let i = 0; i < 5; i++) await resetWithoutAByte(comm.port);
    await eventually(
      async () => (await metric("fleetmon_comm_probes_total")) - before.probes === 10,
      10_000,
      "10 probes counted",
    );
    assert.equal(await metric("fleetmon_comm_connections_total") - before.connections, 10);
    const logged = comm.service.entries.slice(before.logged);
    assert.deepEqual(logged.filter((e) => e.level === "warn" || e.level === "error"), []);
  } finally {
    await stopAll([comm.service]);
  }
});

/** Connects and closes with RST (SO_LINGER 0) before sending anything, as some checkers do. */
function resetWithoutAByte(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.resetAndDestroy();
    });
    socket.on("close", () => resolve());
    socket.on("error", reject);
  });
}
