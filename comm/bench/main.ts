/**
 * `deno task bench:comm`: comm's throughput, memory and probe-resistance, measured side by side
 * on this machine. Prints its figures, and as its last line one JSON object.
 */
import { collections, connectDatabase, ensureIndexes, type ReadingDoc } from "@fleetmon/shared/db";
import { freePort, locateFerretDB, startFerretDB } from "@fleetmon/shared/ferretdb";
import { createLogger } from "@fleetmon/shared/log";
import { isListening, type Service, startService } from "../../deploy/local/supervisor.ts";
import { registerBenchDevices } from "./devices.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const PARTS = ["e2e", "null", "idle", "storm"];
const only = new Set(
  Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",") ?? PARTS,
);
const logger = createLogger({ service: "bench-comm" });
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
const deno = (script: string, args: string[]) => [
  "run",
  "--allow-all",
  `--config=${ROOT}deno.json`,
  `${ROOT}${script}`,
  ...args,
];

const work = await Deno.makeTempDir({ prefix: "fleetmon-bench-comm-" });
const ferret = await startFerretDB({
  bin: await locateFerretDB(logger),
  dataDir: `${work}/db`,
  port: freePort(),
  logger,
});
const uri = `${ferret.uri}bench`;
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

async function load(mode: string, port: number, args: string[]): Promise<Record<string, number>> {
  const service = await startService({
    name: `load-${mode}`,
    args: deno("comm/bench/load.ts", [
      `--mode=${mode}`,
      `--target=127.0.0.1:${port}`,
      `--tokens=${tokensFile}`,
      ...args,
    ]),
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

async function rawInsertDocsPerSecond(batch: number, total: number): Promise<number> {
  const readings = collections(database.db).readings;
  const now = new Date();
  const docs = (start: number): ReadingDoc[] =>
    Array.from({ length: batch }, (_, i) => ({
      _id: `raw:${start + i}`,
      device: "raw",
      seq: start + i,
      ts: now,
      metrics: { cpu: (i % 100) / 100, mem: i % 4096 },
      receivedAt: now,
      node: "raw",
    }));
  const started = performance.now();
  for (let start = 1; start <= total; start += batch) {
    await readings.insertMany(docs(start), { ordered: false });
  }
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
  say(`raw insertMany (batch 1000):        ${figures.raw_insert_docs_per_s} docs/s`);
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
  say(
    `10,000 idle devices on one node:    RSS ${figures.idle_10k_rss_mb} MB (baseline ${
      round(idleBaseline)
    } MB, target ≤ 250)`,
  );
  await idle.stop();
  await idleNode.service.stop();
}

/** 4. Ingest with and without a storm of 2,000 health-check connects a second. */
async function probeStorm() {
  const stormNode = await startComm("storm0");
  const pid = stormNode.service.child.pid;
  const ingestArgs = ["--devices=4", "--seconds=30", "--window=2000"];
  const calm = await load("ingest", stormNode.port, ingestArgs);
  const rssBefore = rssMb(pid);
  const fdsBefore = openFds(pid);
  const [stormy, storm] = await Promise.all([
    load("ingest", stormNode.port, ingestArgs),
    load("storm", stormNode.port, ["--rate=2000", "--seconds=30"]),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  figures.storm_connects_per_s = Math.round(storm.perSecond);
  figures.storm_failed_connects = storm.failed;
  figures.storm_ingest_ratio = round(stormy.ackedPerSecond / calm.ackedPerSecond);
  figures.storm_rss_growth_mb = round(rssMb(pid) - rssBefore);
  figures.storm_fds_before = fdsBefore;
  figures.storm_fds_after = openFds(pid);
  say(
    `storm: ${figures.storm_connects_per_s} probes/s; ingest ${
      Math.round(stormy.ackedPerSecond)
    } vs ${
      Math.round(calm.ackedPerSecond)
    } readings/s (ratio ${figures.storm_ingest_ratio}, target ≥ 0.95)`,
  );
  say(
    `storm: RSS growth ${figures.storm_rss_growth_mb} MB (target ≤ 10); open fds ${fdsBefore} before, ${figures.storm_fds_after} after`,
  );
  await stormNode.service.stop();
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
