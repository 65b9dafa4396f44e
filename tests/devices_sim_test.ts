/**
 * `deno task sim` as a process against the real stack: it registers its devices, loads the
 * system through lb(comm), and ends with an audit of every acked reading as its last stdout line
 * — after a set duration, on SIGTERM, and with a comm node killed under it.
 */
import assert from "node:assert/strict";
import { sleep, startDeviceStack } from "./_devices_stack.ts";

const ROOT = new URL("..", import.meta.url).pathname;

interface SimProcess {
  child: Deno.ChildProcess;
  /** JSON lines from stdout, in order. */
  lines: Record<string, unknown>[];
  stderr(): string;
  waitFor(msg: string, timeoutMs: number): Promise<Record<string, unknown>>;
  done: Promise<Deno.CommandStatus>;
}

function startSim(args: string[], uri: string): SimProcess {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      `${ROOT}devices/sim/main.ts`,
      ...args,
    ],
    cwd: ROOT,
    env: { MONGODB_URI: uri, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  let errText = "";
  const readOut = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) if (line) lines.push(JSON.parse(line));
    }
    if (rest) lines.push(JSON.parse(rest));
  })();
  const readErr = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) errText += chunk;
  })();
  const done = Promise.all([child.status, readOut, readErr]).then(([status]) => status);
  return {
    child,
    lines,
    stderr: () => errText,
    done,
    async waitFor(msg, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l.msg === msg);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`No "${msg}" line; stderr:\n${errText}`);
        await sleep(50);
      }
    },
  };
}

type Report = {
  msg: string;
  ok: boolean;
  devices: number;
  connected: number;
  generated: number;
  acked: number;
  nacked: Record<string, number>;
  dropped: Record<string, number>;
  unacked_at_end: number;
  reconnects: number;
  audit: { checked: number; found: number; lost_acked: number; duplicates: number };
};

function assertCleanReport(sim: SimProcess, devices: number): Report {
  const report = sim.lines.at(-1) as Report;
  assert.equal(report.msg, "sim report", "the report is the last line on stdout");
  assert.equal(report.devices, devices);
  assert.ok(report.generated > 0);
  assert.equal(report.acked, report.generated, "every generated reading was acked");
  assert.equal(report.unacked_at_end, 0);
  assert.deepEqual(report.dropped, {});
  assert.equal(report.audit.checked, report.acked);
  assert.equal(report.audit.found, report.acked);
  assert.equal(report.audit.lost_acked, 0);
  assert.equal(report.audit.duplicates, 0);
  assert.equal(report.ok, true);
  assert.match(sim.stderr(), /result {6}OK: every acked reading is stored exactly once/);
  return report;
}

Deno.test("the simulator runs for its duration and ends with a clean audit as its last line", async () => {
  await using stack = await startDeviceStack();
  const sim = startSim(
    [
      "--devices=40",
      "--rate=4",
      "--duration=3",
      "--progress-ms=500",
      `--target=127.0.0.1:${stack.lbPort}`,
    ],
    stack.uri,
  );
  const status = await sim.done;
  assert.equal(status.code, 0, sim.stderr());
  const running = await sim.waitFor("sim running", 0);
  assert.equal(running.connected, 40);
  const report = assertCleanReport(sim, 40);
  assert.ok(report.generated >= 40 * 4 * 2, `generated ${report.generated}`);
  assert.deepEqual(report.nacked, {});
  assert.match(sim.stderr(), /connected 40\/40 \| sent [\d,]+ \| acked/, "plain progress lines");
});

Deno.test("on SIGTERM the simulator stops sending, waits for acks and prints the audit last", async () => {
  await using stack = await startDeviceStack();
  // Devices of an earlier run get new tokens: the old ones were shown only once.
  await stack.registerDevices("sim", 5);
  const sim = startSim(
    ["--devices=20", "--duration=0", "--rate=5", `--target=127.0.0.1:${stack.lbPort}`],
    stack.uri,
  );
  const ready = await sim.waitFor("sim devices ready", 30_000);
  assert.deepEqual([ready.created, ready.rotated], [15, 5]);
  await sim.waitFor("sim running", 30_000);
  await sleep(1_500);
  sim.child.kill("SIGTERM");
  const status = await sim.done;
  assert.equal(status.code, 0, sim.stderr());
  assertCleanReport(sim, 20);
});

Deno.test("the simulator's audit stays clean when a comm node is killed under it", async () => {
  await using stack = await startDeviceStack();
  const sim = startSim(
    ["--devices=200", "--rate=2", "--duration=6", `--target=127.0.0.1:${stack.lbPort}`],
    stack.uri,
  );
  await sim.waitFor("sim running", 60_000);
  await sleep(2_000);
  stack.comm.cs1.child.kill("SIGKILL");
  const status = await sim.done;
  assert.equal(status.code, 0, sim.stderr());
  const report = assertCleanReport(sim, 200);
  assert.ok(report.reconnects >= 50, `devices on cs1 reconnected: ${report.reconnects}`);
});
