/**
 * `deno task bench:comm`: comm's throughput, memory and probe-resistance, measured side by side
 * on this machine. Prints its figures, and as its last line one JSON object.
 */
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { openReadings, type Reading } from "@fleetmon/shared/readings";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, type Service, startService } from "@fleetmon/shared/supervisor";
import { COMM_V8_FLAGS } from "../runtime.ts";
import { registerBenchDevices } from "./devices.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const PARTS = ["e2e", "null", "idle", "storm"];
const only = new Set(
  Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",") ?? PARTS,
);
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
const deno = (script: string, args: string[]) => [
  "run",
  "--allow-all",
  `--config=${ROOT}deno.json`,
  ...args.filter((a) => a.startsWith("--v8-flags")),
  `${ROOT}${script}`,
  ...args.filter((a) => !a.startsWith("--v8-flags")),
];

const work = await Deno.makeTempDir({ prefix: "fleetmon-bench-comm-" });
// The local database as a process of its own, as `deno task db:local` runs it.
const ferret = await startService({
  name: "db",
  command: Deno.execPath(),
  args: ["task", "--quiet", "db:local", `--data-dir=${work}/db`],
  cwd: ROOT,
  ready: (entry) => entry.msg === "database ready",
  readyTimeoutMs: 300_000,
});
const uri = `${ferret.readyEntry!.uri}bench`;
/** FerretDB's own process (the storm part pins it to a core). */
const ferretPid = Number(ferret.readyEntry!.pid);
const database = await connectDatabase(uri, { appName: "bench" });
await ensureIndexes(database.db);
const tokensFile = `${work}/tokens.json`;
await registerBenchDevices(database.db, 10_000, tokensFile);
const services: Service[] = [];

async function startComm(node: string, extra: string[] = []) {
  const port = freePort();
  const service = await startService({
    name: node,
    args: deno("comm/main.ts", [
      COMM_V8_FLAGS,
      `--node=${node}`,
      `--listen=127.0.0.1:${port}`,
      `--health=127.0.0.1:${freePort()}`,
      "--rate-per-second=1000000",
      "--rate-burst=1000000",
      ...extra,
    ]),
    env: { MONGODB_URI: uri },
    ready: isListening,
  });
  services.push(service);
  return { service, port };
}

/** Where load processes run: set while the storm part pins comm and the database. */
let loadCpu: string | undefined;

async function load(mode: string, port: number, args: string[]): Promise<Record<string, number>> {
  const denoArgs = deno("comm/bench/load.ts", [
    `--mode=${mode}`,
    `--target=127.0.0.1:${port}`,
    `--tokens=${tokensFile}`,
    ...args,
  ]);
  const service = await startService({
    name: `load-${mode}`,
    ...(loadCpu
      ? { command: "taskset", args: ["-c", loadCpu, Deno.execPath(), ...denoArgs] }
      : { args: denoArgs }),
  });
  const result = await service.waitFor((e) => e.mode === mode || "error" in e, 600_000);
  await service.stop();
  if ("error" in result) throw new Error(`load ${mode}: ${result.error}`);
  return result as Record<string, number>;
}

function procStatus(pid: number, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(
    Deno.readTextFileSync(`/proc/${pid}/status`),
  );
  return Number(match?.[1] ?? NaN);
}
const rssMb = (pid: number) => procStatus(pid, "VmRSS") / 1024;
const openFds = (pid: number) => [...Deno.readDirSync(`/proc/${pid}/fd`)].length;

/** A plain loop of the readings store's write (the chunks comm writes), or `writers` such loops at once. */
async function rawInsertDocsPerSecond(
  batch: number,
  total: number,
  writers = 1,
  device = "raw",
): Promise<number> {
  const readings = await openReadings(database.db, { node: "raw" });
  const now = new Date();
  const firstSeq = now.getTime() * 1000; // as devices and the load generator number them
  const docs = (start: number): Reading[] =>
    Array.from({ length: batch }, (_, i) => ({
      device,
      seq: firstSeq + start + i,
      ts: now.getTime(),
      metrics: { cpu: (i % 100) / 100, mem: i % 4096 },
    }));
  const started = performance.now();
  await Promise.all(Array.from({ length: writers }, async (_, w) => {
    for (let start = 1; start <= total / writers; start += batch) {
      await readings.write(docs(w * total + start));
    }
  }));
  return total / ((performance.now() - started) / 1000);
}

const figures: Record<string, number> = {};
try {
  if (only.has("e2e")) await endToEnd();
  if (only.has("null")) await nullSink();
  if (only.has("idle")) await idleDevices();
  if (only.has("storm")) await probeStorm();
} finally {
  for (const service of services) await service.stop();
  await database.close();
  await ferret.stop();
  await Deno.remove(work, { recursive: true });
}
say(JSON.stringify(figures));

/** 1. End to end through lb(comm) to two comm nodes, against a plain insertMany loop. */
async function endToEnd() {
  const raw = await rawInsertDocsPerSecond(1_000, 60_000);
  const raw2 = await rawInsertDocsPerSecond(1_000, 60_000, 2, "raw2");
  const cs0 = await startComm("cs0");
  const cs1 = await startComm("cs1");
  const lbPort = freePort();
  services.push(
    await startService({
      name: "lb-comm",
      args: deno("lb/main.ts", [
        "--name=lb-comm",
        `--listen=127.0.0.1:${lbPort}`,
        `--admin=127.0.0.1:${freePort()}`,
        `--backend=cs0=127.0.0.1:${cs0.port}`,
        `--backend=cs1=127.0.0.1:${cs1.port}`,
      ]),
      ready: isListening,
    }),
  );
  const e2e = await load("ingest", lbPort, ["--devices=20", "--seconds=10", "--window=2000"]);
  figures.raw_insert_docs_per_s = Math.round(raw);
  figures.e2e_acked_per_s = Math.round(e2e.ackedPerSecond);
  figures.e2e_vs_raw_insert = round(e2e.ackedPerSecond / raw);
  figures.raw_insert_2_writers_docs_per_s = Math.round(raw2);
  figures.e2e_vs_raw_insert_2_writers = round(e2e.ackedPerSecond / raw2);
  say(`raw store write (batch 1000):      ${figures.raw_insert_docs_per_s} docs/s`);
  say(`raw store write, 2 loops at once:  ${figures.raw_insert_2_writers_docs_per_s} docs/s`);
  say(
    `devices → lb(comm) → cs0+cs1 → db:  ${figures.e2e_acked_per_s} acked readings/s  (ratio ${figures.e2e_vs_raw_insert}, target ≥ 0.8)`,
  );
  for (const service of services.splice(0)) await service.stop();
}

/** 2. comm's own path, storage replaced by a null sink. */
async function nullSink() {
  const nullNode = await startComm("null0", ["--store=null"]);
  const nullLoad = await load("ingest", nullNode.port, [
    "--devices=8",
    "--seconds=8",
    "--window=20000",
  ]);
  figures.null_sink_readings_per_s = Math.round(nullLoad.ackedPerSecond);
  say(
    `null sink, one comm process:        ${figures.null_sink_readings_per_s} readings/s  (target ≥ 250000)`,
  );
  await nullNode.service.stop();
}

/** 3. 10,000 authenticated idle devices on one node. */
async function idleDevices() {
  const idleNode = await startComm("idle0");
  const idleBaseline = rssMb(idleNode.service.child.pid);
  const idle = await startService({
    name: "load-idle",
    args: deno("comm/bench/load.ts", [
      "--mode=idle",
      `--target=127.0.0.1:${idleNode.port}`,
      `--tokens=${tokensFile}`,
      "--devices=10000",
    ]),
  });
  const idleReady = await idle.waitFor((e) => e.mode === "idle" || "error" in e, 300_000);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  figures.idle_10k_connected = idleReady.connected as number;
  figures.idle_10k_rss_mb = round(rssMb(idleNode.service.child.pid));
  // Most of that is the garbage of 10,000 hellos in a few seconds, which V8's memory reducer
  // hands back some 30 s later; what the node needs to hold them is the settled figure.
  await new Promise((resolve) => setTimeout(resolve, 35_000));
  figures.idle_10k_rss_settled_mb = round(rssMb(idleNode.service.child.pid));
  say(
    `10,000 idle devices on one node:    RSS ${figures.idle_10k_rss_mb} MB 2 s after they connected, ${figures.idle_10k_rss_settled_mb} MB 35 s later (baseline ${
      round(idleBaseline)
    } MB, target ≤ 250)`,
  );
  await idle.stop();
  await idleNode.service.stop();
}

/**
 * 4. Ingest with and without a storm of 2,000 health-check connects a second, 30 s at a time:
 * calm, stormy, calm, stormy, calm. The rate drifts as the database grows and its write-ahead
 * log checkpoints, so stormy runs are compared with calm runs on both sides of them (an
 * A-B-A-B-A design cancels a steady drift, and two storms halve the noise of one).
 *
 * As in the seed, where MongoDB runs on servers of its own, the database gets a core of its own
 * (CPU 1) and comm, the devices and the probe generator share the other (CPU 0). Unpinned, the
 * probes' CPU — comm's share is the floor of a Deno accept, read and close, and the generator and
 * the kernel's handshakes cost more than that — came out of the database's, which is not what this
 * figure is about.
 */
async function probeStorm() {
  const stormNode = await startComm("storm0");
  const pid = stormNode.service.child.pid;
  if (pin(ferretPid, "1") && pin(pid, "0")) loadCpu = "0";
  else say("storm: taskset is missing, nothing is pinned; the ratio will be noisier");
  const ingest = (extra: string[] = []) =>
    load("ingest", stormNode.port, ["--devices=4", "--seconds=30", "--window=2000", ...extra]);
  const storm = () => load("storm", stormNode.port, ["--rate=2000", "--seconds=30"]);
  const settle = () => new Promise((resolve) => setTimeout(resolve, 2_000));
  const calm = [await ingest()];
  await settle();
  const fdsBefore = openFds(pid);
  const socketsBefore = deviceSockets(pid, stormNode.port);
  const stormy: Record<string, number>[] = [];
  const storms: Record<string, number>[] = [];
  const rssGrowth: number[] = [];
  for (let round = 0; round < 2; round++) {
    const rssBefore = rssMb(pid);
    const [ingested, made] = await Promise.all([ingest(), storm()]);
    await settle();
    rssGrowth.push(rssMb(pid) - rssBefore);
    stormy.push(ingested);
    storms.push(made);
    calm.push(await ingest());
  }
  await settle();
  const fdsAfter = openFds(pid);
  const socketsAfter = deviceSockets(pid, stormNode.port);
  const mean = (runs: Record<string, number>[], key: string) =>
    runs.reduce((sum, run) => sum + run[key], 0) / runs.length;
  figures.storm_connects_per_s = Math.round(mean(storms, "perSecond"));
  figures.storm_failed_connects = storms.reduce((sum, run) => sum + run.failed, 0);
  figures.storm_calm_per_s = Math.round(mean(calm, "ackedPerSecond"));
  figures.storm_stormy_per_s = Math.round(mean(stormy, "ackedPerSecond"));
  figures.storm_ingest_ratio = round(mean(stormy, "ackedPerSecond") / mean(calm, "ackedPerSecond"));
  figures.storm_rss_growth_mb = round(Math.max(...rssGrowth)); // the larger of the two storms
  figures.storm_fds_before = fdsBefore;
  figures.storm_fds_after = fdsAfter;
  figures.storm_device_sockets_before = socketsBefore;
  figures.storm_device_sockets_after = socketsAfter;
  const each = (runs: Record<string, number>[]) =>
    runs.map((run) => Math.round(run.ackedPerSecond)).join(", ");
  say(`storm: calm runs ${each(calm)}; stormy runs ${each(stormy)} readings/s`);
  say(
    `storm: ${figures.storm_connects_per_s} probes/s; ingest ${figures.storm_stormy_per_s} vs ${figures.storm_calm_per_s} readings/s (ratio ${figures.storm_ingest_ratio}, target ≥ 0.95)`,
  );
  say(
    `storm: RSS growth ${
      rssGrowth.map(round).join(" and ")
    } MB over the two storms (target ≤ 10); open fds ${fdsBefore} before, ${fdsAfter} after; sockets on the device port ${socketsBefore} before, ${socketsAfter} after`,
  );

  // The same storm against a steady load at half of what the node took when calm: does comm still
  // take every reading the devices send, on time?
  const perDevice = Math.round(mean(calm, "ackedPerSecond") / 2 / 4);
  const steadyCalm = await ingest([`--per-device=${perDevice}`]);
  const [steadyStormy] = await Promise.all([ingest([`--per-device=${perDevice}`]), storm()]);
  figures.storm_paced_offered_per_s = perDevice * 4;
  figures.storm_paced_ingest_ratio = round(steadyStormy.ackedPerSecond / steadyCalm.ackedPerSecond);
  say(
    `storm at a steady ${figures.storm_paced_offered_per_s} readings/s: ingest ${
      Math.round(steadyStormy.ackedPerSecond)
    } vs ${Math.round(steadyCalm.ackedPerSecond)} (ratio ${figures.storm_paced_ingest_ratio})`,
  );
  await stormNode.service.stop();
}

/**
 * The TCP sockets `pid` holds on local `port` (its listener and device connections): a probe
 * that left one behind would show here, unlike the database pool's connections, which come and go.
 */
function deviceSockets(pid: number, port: number): number {
  const inodes = new Set<string>();
  for (const entry of Deno.readDirSync(`/proc/${pid}/fd`)) {
    const target = Deno.readLinkSync(`/proc/${pid}/fd/${entry.name}`);
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of Deno.readTextFileSync(table).split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(portHex) && inodes.has(fields[9])) count++;
    }
  }
  return count;
}

/** Pins every thread of `pid` to `cpu`; false when that cannot be done (no taskset). */
function pin(pid: number, cpu: string): boolean {
  try {
    return new Deno.Command("taskset", {
      args: ["-a", "-p", "-c", cpu, String(pid)],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
