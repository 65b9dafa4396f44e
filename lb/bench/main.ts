/**
 * `deno task bench:lb`: our balancer side by side with HAProxy on this machine, in one run.
 *
 * Fairness: both balancers run one thread (HAProxy with `nbthread 1`; ours is one event loop)
 * pinned to CPU 1, while the load (wrk, iperf3) and the backends (one HAProxy thread answering a
 * fixed small HTTP response on two ports, and an iperf3 server) share CPU 0 — as if each balancer
 * had a machine of its own, which is how the seed deploys it. Both get the same backends, the
 * same checks (TCP connect every second, rise 2, fall 3) and the same timeouts. Runs are
 * interleaved and the order flips every round; each ratio is the median over the rounds of the
 * two runs' ratio within a round (paired, so a busy moment on the machine hits both alike).
 *
 * Our balancer runs its epoll engine, as `deno task start:lb` does; `--engine=deno` measures the
 * portable one instead.
 *
 * Prints its figures, and as its last line one JSON object: keepalive_ratio, newconn_ratio,
 * admin_p99_ms_under_flood (lb's admin API answer time while it takes new connections),
 * bulk_ratio, p99_added_ratio, and the raw figures.
 */
import { parseArgs } from "node:util";
import { backendsConfig, balancerConfig } from "./_haproxy.ts";
import {
  type Background,
  cpuSeconds,
  freePort,
  hasTool,
  iperf3,
  median,
  percentile,
  startTool,
  wrk,
} from "./_tools.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rounds: { type: "string", default: "5" },
    seconds: { type: "string", default: "3" },
    connections: { type: "string", default: "50" },
    engine: { type: "string", default: "epoll" },
  },
});
const ROUNDS = Number(values.rounds);
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const ENGINE = values.engine;
const [LOAD_CPU, BALANCER_CPU] = ["0", "1"];
const ROOT = new URL("../..", import.meta.url).pathname;
const say = (line: string) => console.log(line);

for (const tool of ["haproxy", "wrk", "iperf3"]) {
  if (!hasTool(tool)) {
    console.error(`Cannot run the benchmark: ${tool} is not installed (apt-get install ${tool})`);
    Deno.exit(1);
  }
}
const pinning = hasTool("taskset");
if (!pinning) say("taskset is missing: nothing is pinned, figures will be noisier");
const pinned = (cpu: string) => pinning ? ["taskset", "-c", cpu] : [];

const workDir = Deno.makeTempDirSync({ prefix: "fleetmon-bench-lb-" });
const started: Background[] = [];

async function haproxy(name: string, config: string, port: number, cpu: string) {
  const file = `${workDir}/${name}.cfg`;
  Deno.writeTextFileSync(file, config);
  const tool = await startTool(name, [...pinned(cpu), "haproxy", "-db", "-f", file], port);
  started.push(tool);
  return tool;
}

async function ours(name: string, port: number, backends: string[], adminPort?: number) {
  const tool = await startTool(name, [
    ...pinned(BALANCER_CPU),
    Deno.execPath(),
    "run",
    "--allow-net",
    "--allow-env",
    "--allow-read",
    "--allow-ffi",
    `${ROOT}lb/main.ts`,
    `--engine=${ENGINE}`,
    `--name=${name}`,
    `--listen=127.0.0.1:${port}`,
    adminPort ? `--admin=127.0.0.1:${adminPort}` : "--admin=off",
    "--check-interval-ms=1000",
    "--check-timeout-ms=1000",
    "--rise=2",
    "--fall=3",
    "--log-level=warn",
    ...backends.map((backend) => `--backend=${backend}`),
  ], port);
  started.push(tool);
  return tool;
}

type Target = "direct" | "lb" | "haproxy";
type Balancer = "lb" | "haproxy";
/** metric → target → one figure per round. */
const figures: Record<string, Partial<Record<Target, number[]>>> = {};
const record = (metric: string, target: Target, value: number) => {
  figures[metric] ??= {};
  (figures[metric][target] ??= []).push(value);
};
const round3 = (value: number) => Math.round(value * 1000) / 1000;
/** Every admin answer time measured during lb's new-connection runs. */
const adminAnswerMs: number[] = [];

/** Asks lb's admin API for /stats every 10 ms until stopped; returns each answer's time. */
function pollAdmin(port: number): { stop(): Promise<number[]> } {
  const times: number[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const start = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/stats`);
      await response.text();
      times.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      return times;
    },
  };
}

try {
  const [backend0, backend1, iperfPort] = [freePort(), freePort(), freePort()];
  await haproxy("backends", backendsConfig([backend0, backend1]), backend0, LOAD_CPU);
  started.push(
    await startTool(
      "iperf3",
      [...pinned(LOAD_CPU), "iperf3", "-s", "-p", `${iperfPort}`],
      iperfPort,
    ),
  );
  const adminPort = freePort();
  const ports = {
    lb: freePort(),
    haproxy: freePort(),
    lbBulk: freePort(),
    haproxyBulk: freePort(),
  };
  const pids: Record<Balancer, number> = {
    lb: (await ours(
      "bench-http",
      ports.lb,
      [`s0=127.0.0.1:${backend0}`, `s1=127.0.0.1:${backend1}`],
      adminPort,
    )).pid,
    haproxy: (await haproxy(
      "haproxy-http",
      balancerConfig(ports.haproxy, [{ name: "s0", port: backend0 }, {
        name: "s1",
        port: backend1,
      }]),
      ports.haproxy,
      BALANCER_CPU,
    )).pid,
  };
  // One iperf3 server runs one test at a time, so the bulk balancers check an HTTP backend port.
  await ours("bench-bulk", ports.lbBulk, [`i0=127.0.0.1:${iperfPort},check=${backend0}`]);
  await haproxy(
    "haproxy-bulk",
    balancerConfig(ports.haproxyBulk, [{ name: "i0", port: iperfPort, checkPort: backend0 }]),
    ports.haproxyBulk,
    BALANCER_CPU,
  );
  const url = (target: Target) =>
    `http://127.0.0.1:${target === "direct" ? backend0 : ports[target]}/`;
  const bulkPort = { direct: iperfPort, lb: ports.lbBulk, haproxy: ports.haproxyBulk };

  say(
    `lb's ${ENGINE} engine; balancers on CPU ${BALANCER_CPU}, load and backends on CPU ${LOAD_CPU}; ` +
      `${ROUNDS} rounds`,
  );
  await new Promise((resolve) => setTimeout(resolve, 2500)); // both have checked their backends
  for (const target of ["lb", "haproxy"] as const) {
    await wrk(url(target), { connections: CONNECTIONS, seconds: 1, cpus: LOAD_CPU }); // warm-up
  }

  for (let round = 1; round <= ROUNDS; round++) {
    const order: Balancer[] = round % 2 ? ["lb", "haproxy"] : ["haproxy", "lb"];
    for (const [metric, close] of [["keepalive", false], ["newconn", true]] as const) {
      for (const target of order) {
        const cpuBefore = cpuSeconds(pids[target]);
        // While lb takes a flood of new connections, its admin API is asked for /stats.
        const polling = close && target === "lb" ? pollAdmin(adminPort) : undefined;
        const result = await wrk(url(target), {
          connections: CONNECTIONS,
          seconds: SECONDS,
          close,
          cpus: LOAD_CPU,
        });
        if (polling) adminAnswerMs.push(...await polling.stop());
        const cpuPerRequest = (cpuSeconds(pids[target]) - cpuBefore) * 1e6 /
          (result.requestsPerSecond * SECONDS);
        record(`${metric}_rps`, target, result.requestsPerSecond);
        record(`${metric}_p99_us`, target, result.p99Us);
        record(`${metric}_cpu_us_per_request`, target, cpuPerRequest);
        record(`${metric}_errors`, target, result.errors);
        say(
          `round ${round} ${metric.padEnd(9)} ${target.padEnd(7)} ` +
            `${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  ` +
            `p99 ${result.p99Us.toFixed(0)} µs  balancer CPU ${cpuPerRequest.toFixed(1)} µs/req` +
            (result.errors ? `  errors ${result.errors}` : ""),
        );
      }
    }
    for (const target of ["direct", ...order] as Target[]) {
      const result = await wrk(url(target), { connections: 1, seconds: SECONDS, cpus: LOAD_CPU });
      record("latency_p50_us", target, result.p50Us);
      record("latency_p99_us", target, result.p99Us);
      say(
        `round ${round} latency   ${
          target.padEnd(7)
        } p50 ${result.p50Us} µs  p99 ${result.p99Us} µs` +
          " (one connection, one request at a time)",
      );
    }
    for (const target of ["direct", ...order] as Target[]) {
      // iperf3's control connection can time out on a very busy machine: one more try.
      const gbps = await iperf3(bulkPort[target], SECONDS, LOAD_CPU)
        .catch(() => iperf3(bulkPort[target], SECONDS, LOAD_CPU)) / 1e9;
      record("bulk_gbps", target, gbps);
      say(`round ${round} bulk      ${target.padEnd(7)} ${gbps.toFixed(2)} Gbit/s (one stream)`);
    }
  }

  /** Per round, lb's figure over HAProxy's; or with `added`, each over the direct figure. */
  const pairedRatio = (metric: string, added = false) => {
    const f = figures[metric];
    return median(f.lb!.map((lb, i) => {
      const base = added ? f.direct![i] : 0;
      return (lb - base) / (f.haproxy![i] - base);
    }));
  };
  const medians = Object.fromEntries(
    Object.entries(figures).map(([metric, byTarget]) => [
      metric,
      Object.fromEntries(
        Object.entries(byTarget).map(([target, list]) => [target, round3(median(list!))]),
      ),
    ]),
  );
  const result = {
    keepalive_ratio: round3(pairedRatio("keepalive_rps")),
    newconn_ratio: round3(pairedRatio("newconn_rps")),
    bulk_ratio: round3(pairedRatio("bulk_gbps")),
    p99_added_ratio: round3(pairedRatio("latency_p99_us", true)),
    admin_p99_ms_under_flood: round3(percentile(adminAnswerMs, 0.99)),
    admin_answers_under_flood: adminAnswerMs.length,
    cpu_per_request_ratio: {
      keepalive: round3(pairedRatio("keepalive_cpu_us_per_request")),
      newconn: round3(pairedRatio("newconn_cpu_us_per_request")),
    },
    medians,
    engine: ENGINE,
    rounds: ROUNDS,
    seconds_per_run: SECONDS,
    connections: CONNECTIONS,
    pinning: pinning ? { balancers: BALANCER_CPU, load_and_backends: LOAD_CPU } : null,
  };
  say("");
  say(`keep-alive requests/s, lb ÷ HAProxy:  ${result.keepalive_ratio} (target ≥ 0.9)`);
  say(`new connection per request, ÷:       ${result.newconn_ratio} (target ≥ 0.8)`);
  say(`one-stream bulk throughput, ÷:       ${result.bulk_ratio} (target ≥ 1.0)`);
  say(`p99 added over direct, ÷:            ${result.p99_added_ratio} (target ≤ 2.0)`);
  say(
    `admin API p99 during the flood:      ${result.admin_p99_ms_under_flood} ms (target ≤ 100)`,
  );
  say(
    `balancer CPU per request, ÷:         keep-alive ${result.cpu_per_request_ratio.keepalive}, ` +
      `new connection ${result.cpu_per_request_ratio.newconn}`,
  );
  say(JSON.stringify(result));
} finally {
  for (const background of started.reverse()) await background.stop();
  Deno.removeSync(workDir, { recursive: true });
}
