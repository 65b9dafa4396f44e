/**
 * `deno task soak:lb [--minutes=10] [--engine=both|epoll|deno]`: runs a real lb process for a
 * while under what months bring, then checks it is back where it started. Bounded: the minutes are
 * shared between the engines (half each by default).
 *
 * Load: 200 long-lived connections that exchange a line every second or so and reconnect when
 * dropped, and 4 loops of short connections (connect, one exchange, close). Chaos: every 15 s one
 * of three backends dies and returns 4 s later; every 25 s a reload (SIGHUP) adds or removes a
 * fourth backend. At the end the load stops, the configuration is back to the first one, and the
 * lb process's descriptors, epoll registrations and memory are compared with what they were
 * before the load (after a 20-second warm-up of the same load, so that buffer pools and compiled
 * code exist). Memory is judged by each thread's heap after a full garbage collection (the admin
 * API's `/memory`), which is what a leak grows; resident memory is printed beside it. Prints the
 * figures; the last line is one JSON object; exits 1 if any engine did not come back to its
 * baseline.
 */
import { parseArgs } from "node:util";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { echo, startBackend, type TestBackend } from "../_test_helpers.ts";
import { type LoadFigures, longLived, shortLived } from "./_load.ts";
import type { LbMemory } from "../admin.ts";
import { type ProcessFigures, processFigures } from "./_probe.ts";
import { heapInMiB, notBack } from "./_verdict.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    minutes: { type: "string", default: "10" },
    engine: { type: "string", default: "both" },
  },
});
const minutes = Number(values.minutes);
if (!(minutes > 0 && minutes <= 7 * 24 * 60)) {
  console.error(`Cannot soak for ${values.minutes} minutes: give 0 < minutes ≤ 10080`);
  Deno.exit(2);
}
const engines = values.engine === "both" ? ["epoll", "deno"] : [values.engine!];
if (!engines.every((engine) => engine === "epoll" || engine === "deno")) {
  console.error(`Cannot soak engine ${values.engine}: give both, epoll or deno`);
  Deno.exit(2);
}
const ROOT = new URL("../..", import.meta.url).pathname;
const LONG_LIVED = 200;
const SHORT_LOOPS = 4;
const WARM_UP_MS = 20_000;
const say = (line: string) => console.log(line);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stats {
  connections: { active: number; total: number };
  backends: { id: string; state: string }[];
}

async function soak(engine: string, durationMs: number) {
  const workDir = await Deno.makeTempDir({ prefix: "fleetmon-soak-lb-" });
  const backends: TestBackend[] = [];
  const start = (name: string, port?: number) =>
    startBackend(name, { port, handler: (conn) => echo(conn) });
  for (const name of ["b0", "b1", "b2", "b3"]) backends.push(start(name));
  const ports = backends.map((b) => b.addr.port);
  const configFile = `${workDir}/lb.json`;
  const writeConfig = (count: number) =>
    Deno.writeTextFile(
      configFile,
      JSON.stringify({
        backend: ports.slice(0, count).map((port, i) => `b${i}=127.0.0.1:${port}`),
      }),
    );
  await writeConfig(3);
  await using lb = await startService({
    name: `lb-${engine}`,
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-ffi",
      `${ROOT}lb/main.ts`,
      `--config=${configFile}`,
      `--engine=${engine}`,
      "--listen=127.0.0.1:0",
      "--admin=127.0.0.1:0",
      "--check-interval-ms=500",
      "--fall=2",
      "--connect-timeout-ms=1000",
      "--log-level=info", // the ready line is at info
    ],
    ready: isListening,
  });
  const pid = lb.child.pid;
  const [hostname, port] = String(lb.readyEntry!.addr).split(":");
  const addr = { hostname, port: Number(port) };
  const stats = async (): Promise<Stats> =>
    await (await fetch(`http://${lb.readyEntry!.admin}/stats`)).json();
  const settle = async (backendCount: number) => {
    for (let i = 0; i < 200; i++) {
      const s = await stats();
      const up = s.backends.filter((b) => b.state === "up").length;
      if (s.connections.active === 0 && s.backends.length === backendCount && up === backendCount) {
        return;
      }
      await pause(100);
    }
    throw new Error("lb did not settle: connections still open or backends not up");
  };
  /** The lowest descriptor and registration counts over a few samples (a check may be open). */
  const sample = async (): Promise<ProcessFigures> => {
    const samples: ProcessFigures[] = [];
    for (let i = 0; i < 6; i++) {
      samples.push(processFigures(pid));
      await pause(250);
    }
    return {
      fds: Math.min(...samples.map((s) => s.fds)),
      registrations: Math.min(...samples.map((s) => s.registrations)),
      rssMiB: samples.at(-1)!.rssMiB,
    };
  };
  const memory = async (): Promise<LbMemory> =>
    await (await fetch(`http://${lb.readyEntry!.admin}/memory`)).json();
  await settle(3);
  const warmUp = { long: newFigures(), short: newFigures() };
  let warming = true;
  const warmClients = [
    ...Array.from({ length: LONG_LIVED }, () => longLived(addr, 1000, () => !warming, warmUp.long)),
    ...Array.from({ length: SHORT_LOOPS }, () => shortLived(addr, () => !warming, warmUp.short)),
  ];
  await pause(WARM_UP_MS);
  warming = false;
  await Promise.all(warmClients);
  await settle(3);
  const before = await sample();
  const memoryBefore = await memory();

  const figures = { long: newFigures(), short: newFigures() };
  let stopped = false;
  const isStopped = () => stopped;
  const clients = [
    ...Array.from({ length: LONG_LIVED }, () => longLived(addr, 1000, isStopped, figures.long)),
    ...Array.from({ length: SHORT_LOOPS }, () => shortLived(addr, isStopped, figures.short)),
  ];
  const end = performance.now() + durationMs;
  let deaths = 0;
  let reloads = 0;
  let withExtra = false;
  let tick = 0;
  let peak: ProcessFigures = before;
  while (performance.now() < end) {
    await pause(1000);
    tick++;
    const now = processFigures(pid);
    if (now.fds > peak.fds) peak = now;
    if (tick % 15 === 0) {
      const victim = deaths++ % 3;
      await backends[victim].close();
      setTimeout(() => backends[victim] = start(`b${victim}`, ports[victim]), 4000);
    }
    if (tick % 25 === 0) {
      withExtra = !withExtra;
      await writeConfig(withExtra ? 4 : 3);
      lb.child.kill("SIGHUP");
      reloads++;
    }
    if (tick % 30 === 0) {
      say(
        `  ${engine} ${tick}s: ${figures.long.ok + figures.short.ok} exchanges, ` +
          `${now.fds} descriptors, ${now.rssMiB} MiB`,
      );
    }
  }
  stopped = true;
  await Promise.all(clients);
  await pause(4500); // the last backend to die is back
  if (withExtra) {
    await writeConfig(3);
    lb.child.kill("SIGHUP");
    reloads++;
  }
  await settle(3);
  const after = await sample();
  const memoryAfter = await memory();
  await lb.stop();
  for (const backend of backends) await backend.close();
  await Deno.remove(workDir, { recursive: true });
  const heap = {
    before: {
      controlPlane: heapInMiB(memoryBefore.controlPlane),
      dataPlane: heapInMiB(memoryBefore.dataPlane),
    },
    after: {
      controlPlane: heapInMiB(memoryAfter.controlPlane),
      dataPlane: heapInMiB(memoryAfter.dataPlane),
    },
  };
  const s = { before, after, peakFds: peak.fds, heap };
  const problems = notBack(
    { process: before, memory: memoryBefore },
    { process: after, memory: memoryAfter },
  );
  const back = problems.length === 0;
  return {
    engine,
    minutes: durationMs / 60_000,
    ...s,
    deaths,
    reloads,
    ...figures,
    back,
    problems,
  };
}

function newFigures(): LoadFigures {
  return { ok: 0, failed: 0, connects: 0 };
}

/** "12.3 → 12.5 MiB (external 1.0 → 1.0)" for one thread. */
function show(
  heap: Record<"before" | "after", Record<keyof LbMemory, ReturnType<typeof heapInMiB>>>,
  thread: keyof LbMemory,
): string {
  const [b, a] = [heap.before[thread], heap.after[thread]];
  return `${b.heapUsedMiB} → ${a.heapUsedMiB} MiB (external ${b.externalMiB} → ${a.externalMiB})`;
}

const results = [];
for (const engine of engines) {
  const durationMs = minutes * 60_000 / engines.length;
  say(`soaking lb's ${engine} engine for ${durationMs / 60_000} minutes`);
  const result = await soak(engine, durationMs);
  say(
    `${engine}: descriptors ${result.before.fds} → ${result.after.fds} (peak ${result.peakFds}), ` +
      `epoll registrations ${result.before.registrations} → ${result.after.registrations}, ` +
      `heap after GC: control plane ${show(result.heap, "controlPlane")}, ` +
      `data plane ${show(result.heap, "dataPlane")}; ` +
      `resident ${result.before.rssMiB} → ${result.after.rssMiB} MiB; ` +
      `${result.long.connects + result.short.connects} connections, ` +
      `${result.long.ok + result.short.ok} exchanges ok, ${
        result.long.failed + result.short.failed
      } ` +
      `failed; ${result.deaths} backend deaths, ${result.reloads} reloads: ` +
      (result.back ? "back to baseline" : `NOT back to baseline: ${result.problems.join("; ")}`),
  );
  results.push(result);
}
say(JSON.stringify({ soak_lb: results }));
if (!results.every((r) => r.back)) Deno.exit(1);
