/**
 * `deno task bench:data` (issue 10, docs/data.md "Benchmark"): fleetmon's data layer side by side
 * with InfluxDB 1.6 and VictoriaMetrics on this machine, in one run. Prints its figures and, as
 * its last line, one JSON object. Bounded: about five minutes.
 *   1. The peers take 8-metric readings as line protocol in batches over HTTP (10 s each).
 *   2. fleetmon end to end: 200 simulated devices send 8-metric readings through lb(comm) to two
 *      comm nodes, acked once durably stored (10 s).
 *   3. Charts: 1,000 devices registered, 100 with 30 days at one reading a minute (bulk loaded in
 *      the layout comm and the rollups write), charted over HTTPS through lb(web).
 */
import { registerBenchDevices } from "../../comm/bench/devices.ts";
import { COMM_V8_FLAGS } from "../../comm/runtime.ts";
import { denoArgs, openBenchCluster } from "../../web/bench/_cluster.ts";
import {
  buildChunks,
  openReadings,
  rawChunks,
  type Reading,
  rollupDocs,
  rollups,
} from "@fleetmon/shared/readings";
import { freePort } from "@fleetmon/shared/socket";
import { isListening } from "@fleetmon/shared/supervisor";
import { duBytes, startInfluxDB, startVictoriaMetrics, writeLineProtocol } from "./_peers.ts";

/** Waits until a comm node answers through lb(comm): a frame before hello gets a nack back. */
async function untilCommAnswers(port: number): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    try {
      using conn = await Deno.connect({ hostname: "127.0.0.1", port });
      await conn.write(new TextEncoder().encode('{"type":"ping"}\n'));
      const n = await Promise.race([
        conn.read(new Uint8Array(256)).catch(() => null),
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 500)),
      ]);
      if (n) return;
    } catch {
      // lb(comm) has no healthy backend yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error("Cannot benchmark: no comm node answered through lb(comm) within 30 s");
}

const SECONDS = Number(Deno.env.get("BENCH_SECONDS") ?? 10);
const E2E_DEVICES = 200;
const CHART_DEVICES = 100;
/** The chart devices come after the e2e ones, whose live readings comm rolls up meanwhile. */
const CHART_FIRST = 200;
const DAY = 86_400_000;
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
const p95 = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.ceil(ms.length * 0.95) - 1];
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const figures: Record<string, number | string> = {};

await using cluster = await openBenchCluster(say);

// 1. The peers.
for (const start of [startInfluxDB, startVictoriaMetrics]) {
  const peer = await start(`${cluster.dir}/${start === startInfluxDB ? "influxdb" : "vm"}`);
  const { points, pointsPerSecond } = await writeLineProtocol(peer, E2E_DEVICES, SECONDS);
  figures[`${peer.name}_points_per_s`] = Math.round(pointsPerSecond);
  if (peer.name === "influxdb") {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    figures.influxdb_bytes_per_point = round((await duBytes(peer.dataDir)) / points, 2);
  }
  say(`${peer.name}: ${Math.round(pointsPerSecond).toLocaleString("en-US")} points/s`);
  await peer.service.stop();
}

// 2. fleetmon end to end: two comm nodes behind lb(comm).
const tokensFile = `${cluster.dir}/tokens.json`;
await registerBenchDevices(cluster.db, 1_000, tokensFile);
const commAddrs: string[] = [];
for (const node of ["cs0", "cs1"]) {
  const port = freePort();
  await cluster.start({
    name: node,
    args: denoArgs("comm/main.ts", ["--allow-all", COMM_V8_FLAGS], [
      `--node=${node}`,
      `--listen=127.0.0.1:${port}`,
      `--health=127.0.0.1:${freePort()}`,
      "--rate-per-second=1000000",
      "--rate-burst=1000000",
    ]),
    env: { MONGODB_URI: cluster.uri },
    ready: isListening,
  });
  commAddrs.push(`127.0.0.1:${port}`);
}
const lbCommPort = freePort();
await cluster.start({
  name: "lb-comm",
  args: denoArgs("lb/main.ts", ["--allow-net", "--allow-env", "--allow-read", "--allow-ffi"], [
    "--name=lb-comm",
    `--listen=127.0.0.1:${lbCommPort}`,
    "--admin=127.0.0.1:0",
    "--check=tcp",
    ...commAddrs.map((addr, i) => `--backend=cs${i}=${addr}`),
  ]),
  ready: isListening,
});
const lbComm = `127.0.0.1:${lbCommPort}`;
await untilCommAnswers(lbCommPort);
const ferretDir = `${cluster.dir}/db`;
const before = await duBytes(ferretDir);
const load = await cluster.start({
  name: "load",
  args: denoArgs("comm/bench/load.ts", ["--allow-all"], [
    "--mode=ingest",
    `--target=${lbComm}`,
    `--tokens=${tokensFile}`,
    `--devices=${E2E_DEVICES}`,
    `--seconds=${SECONDS}`,
    "--window=2000",
    "--metrics=8",
  ]),
});
const result = await load.waitFor((e) => e.mode === "ingest" || "error" in e, 300_000);
if ("error" in result) throw new Error(`load: ${result.error}`);
const e2ePoints = Number(result.ackedPerSecond) * 8;
figures.fleetmon_e2e_points_per_s = Math.round(e2ePoints);
figures.fleetmon_e2e_readings_per_s = Math.round(Number(result.ackedPerSecond));
figures.e2e_points_vs_influxdb = round(e2ePoints / Number(figures.influxdb_points_per_s), 3);
figures.e2e_points_vs_victoriametrics = round(
  e2ePoints / Number(figures["victoria-metrics_points_per_s"]),
  3,
);
await new Promise((resolve) => setTimeout(resolve, 2_000)); // rollups of the last minute
figures.bytes_per_point = round(
  (await duBytes(ferretDir) - before) / (Number(result.acked) * 8),
  2,
);
say(
  `fleetmon e2e: ${Math.round(e2ePoints).toLocaleString("en-US")} points/s acked ` +
    `(${figures.e2e_points_vs_influxdb}× InfluxDB)`,
);

// 3. Charts over 30 days for 100 of the 1,000 devices.
const now = Date.now() - (Date.now() % 60_000);
const loadStarted = performance.now();
let loadedDocs = 0;
for (let d = 0; d < CHART_DEVICES; d++) {
  const device = `bench-${CHART_FIRST + d}`;
  const readings: Reading[] = [];
  for (let m = 30 * 1440; m > 0; m--) {
    const ts = now - m * 60_000;
    const n = d * 100_000 + m;
    readings.push({
      device,
      seq: 1_000_000 + (30 * 1440 - m),
      ts,
      metrics: {
        cpu: (n % 100) / 100,
        mem: n % 4096,
        temp: (n * 3) % 1000,
        load1: (n * 4) % 1000,
        disk: (n * 5) % 1000,
        rx: (n * 6) % 1000,
        tx: (n * 7) % 1000,
        errors: (n * 8) % 1000,
      },
    });
  }
  // What the store holds after 30 days under the default retention: raw for the last 7 days.
  const chunks = buildChunks(readings.filter((r) => r.ts >= now - 7 * DAY), "bulk", new Date());
  for (let i = 0; i < chunks.length; i += 1_000) {
    await rawChunks(cluster.db).insertMany(chunks.slice(i, i + 1_000));
  }
  // Minutes for the last 48 hours (all a chart up to 25 hours reads), hours for all 30 days.
  const minutes = rollupDocs(device, readings, "1m", now - 2 * DAY);
  const hours = rollupDocs(device, readings, "1h");
  await rollups(cluster.db, "1m").insertMany(minutes);
  await rollups(cluster.db, "1h").insertMany(hours);
  loadedDocs += chunks.length + minutes.length + hours.length;
}
figures.chart_load_s = round((performance.now() - loadStarted) / 1000);
figures.chart_load_docs = loadedDocs;
say(
  `loaded ${CHART_DEVICES} devices × 30 days × 1/min × 8 metrics: ${loadedDocs} documents ` +
    `in ${figures.chart_load_s} s`,
);

async function timeGet(path: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${cluster.base}${path}`, {
    client: cluster.client,
    headers: { cookie: cluster.cookie },
  });
  // To the last byte of the answer, as a latency is measured; parsing it is the client's own work.
  const body = await response.arrayBuffer();
  const elapsed = performance.now() - started;
  if (!response.ok) {
    throw new Error(`${path}: HTTP ${response.status} ${new TextDecoder().decode(body)}`);
  }
  return elapsed;
}
for (
  const [name, path] of [
    [
      "chart_24h",
      (d: number) => `/api/devices/bench-${CHART_FIRST + d}/series?from=${now - DAY}&to=${now}`,
    ],
    [
      "chart_30d",
      (d: number) =>
        `/api/devices/bench-${CHART_FIRST + d}/series?from=${now - 30 * DAY}&to=${now}`,
    ],
    ["latest_100", (d: number) => `/api/devices/bench-${CHART_FIRST + d}/readings?limit=100`],
  ] as const
) {
  const times: number[] = [];
  for (let i = 0; i < 60; i++) times.push(await timeGet(path((i * 7) % CHART_DEVICES)));
  figures[`${name}_p95_ms`] = round(p95(times.slice(10))); // the first 10 warm up
  say(`${name}: p95 ${figures[`${name}_p95_ms`]} ms`);
}

// Retention: one day of raw readings expiring for the 100 devices.
const store = await openReadings(cluster.db);
const swept = await store.sweep(
  Array.from({ length: CHART_DEVICES }, (_, d) => `bench-${CHART_FIRST + d}`),
  { rawMs: 6 * DAY, minuteMs: 90 * DAY, hourMs: 730 * DAY },
);
figures.retention_sweep_ms = swept.ms;
figures.retention_sweep_docs = swept.deleted.raw;
say(`retention sweep of one day: ${swept.deleted.raw} chunks in ${swept.ms} ms`);
say(JSON.stringify(figures));
