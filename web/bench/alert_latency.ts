/**
 * alert_latency_p95_ms: from a device sending the reading that crosses a threshold to the
 * rule's webhook arriving, through the real path: a device on TCP → comm (stores, writes the
 * device's newest reading once a second) → the web node holding the alerts lease (evaluates the
 * whole 10,000-device fleet every --alert-tick-ms, default 1 s) → HTTP POST to a local receiver.
 * DEVICES devices each cross and fall back ROUNDS times, side by side; every crossing is a sample.
 * Measured twice: with only those devices sending, then while LOAD_DEVICES simulated devices
 * (`deno task sim`) send LOAD_RATE readings a second each through the same comm node.
 */
import type { Db } from "mongodb";
import { collections, registerDevice } from "@fleetmon/shared/db";
import { readJsonLines } from "@fleetmon/shared/protocol";
import { freePort } from "@fleetmon/shared/socket";
import { isListening } from "@fleetmon/shared/supervisor";
import { startWebhookSink, type WebhookSink } from "@fleetmon/shared/testing";
import { type BenchCluster, denoArgs } from "./_cluster.ts";
import { percentile, round } from "./_measure.ts";

const DEVICES = 4;
const ROUNDS = 10;
const LOADED_ROUNDS = 4;
const WAIT_MS = 60_000;
const METRIC = "bench_alert_temp";
const LOAD_DEVICES = 500;
const LOAD_RATE = 1;

const clock = () => performance.timeOrigin + performance.now();

export async function alertLatency(
  cluster: BenchCluster,
  say: (line: string) => void,
): Promise<Record<string, number>> {
  const port = freePort();
  await cluster.start({
    name: "cs-bench",
    args: denoArgs("comm/main.ts", ["--allow-all"], [
      "--node=cs-bench",
      `--listen=127.0.0.1:${port}`,
      `--health=127.0.0.1:${freePort()}`,
    ]),
    env: { MONGODB_URI: cluster.uri },
    ready: isListening,
  });
  await using sink = startWebhookSink();
  const created = await fetch(`${cluster.base}/api/alerts/rules`, {
    client: cluster.client,
    method: "POST",
    headers: { cookie: cluster.cookie, "content-type": "application/json", origin: cluster.base },
    body: JSON.stringify({
      name: "Bench threshold",
      scope: { kind: "all" },
      condition: { kind: "threshold", metric: METRIC, op: ">", value: 100 },
      webhooks: [sink.url],
    }),
  });
  if (created.status !== 201) throw new Error(`Cannot create the rule: ${await created.text()}`);
  await created.body?.cancel();

  const devices = await Promise.all(
    Array.from({ length: DEVICES }, (_, i) => openDevice(cluster, port, `bench-alert-${i}`)),
  );
  try {
    say(`  ${DEVICES} devices, ${ROUNDS} crossings each (one warm-up), rule over all devices`);
    const quiet = await measure(cluster.db, devices, sink, ROUNDS);
    say(`  quiet: ${describe(quiet)}`);
    say(`  again while ${LOAD_DEVICES} simulated devices send ${LOAD_RATE} reading/s each`);
    const sim = await cluster.start({
      name: "sim",
      args: denoArgs("devices/sim/main.ts", [
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-sys",
      ], [
        `--devices=${LOAD_DEVICES}`,
        `--rate=${LOAD_RATE}`,
        "--duration=600",
        `--target=127.0.0.1:${port}`,
        "--prefix=bench-load",
      ]),
      env: { MONGODB_URI: cluster.uri },
      ready: (entry) => entry.msg === "sim devices ready",
      readyTimeoutMs: 120_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // let every device connect
    const loaded = await measure(cluster.db, devices, sink, LOADED_ROUNDS);
    await sim.stop();
    say(`  loaded: ${describe(loaded)}`);
    return {
      alert_latency_p95_ms: round(percentile(quiet.total, 95)),
      alert_latency_p50_ms: round(percentile(quiet.total, 50)),
      alert_latency_stored_p95_ms: round(percentile(quiet.stored, 95)),
      alert_latency_p95_ms_500_sending: round(percentile(loaded.total, 95)),
      alert_latency_stored_p95_ms_500_sending: round(percentile(loaded.stored, 95)),
      alert_latency_missed_500_sending: loaded.missed,
      alert_latency_samples: quiet.total.length + loaded.total.length,
    };
  } finally {
    for (const d of devices) d.close();
  }
}

interface Latencies {
  /** Sent → webhook arrived, sorted; a webhook that never came counts as WAIT_MS (a lower bound). */
  total: number[];
  /** Crossings whose webhook did not come within WAIT_MS. */
  missed: number;
  /** Sent → the reading visible on its device document (comm's part), sorted. */
  stored: number[];
}

/** Every device crosses ROUNDS times, side by side. */
async function measure(
  db: Db,
  devices: BenchDevice[],
  sink: WebhookSink,
  rounds: number,
): Promise<Latencies> {
  const samples = (await Promise.all(devices.map((d) => crossRepeatedly(db, d, sink, rounds))))
    .flat();
  return {
    total: samples.map((x) => Number.isNaN(x.total) ? WAIT_MS : x.total).sort((a, b) => a - b),
    missed: samples.filter((x) => Number.isNaN(x.total)).length,
    stored: samples.map((x) => x.stored).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b),
  };
}

function describe(l: Latencies): string {
  const p = (xs: number[], q: number) => round(percentile(xs, q));
  return `to webhook p50 ${p(l.total, 50)} p95 ${p(l.total, 95)} max ${p(l.total, 100)} ms; ` +
    `to stored p50 ${p(l.stored, 50)} p95 ${
      p(l.stored, 95)
    } ms; ${l.missed} not within ${WAIT_MS} ms`;
}

interface BenchDevice {
  id: string;
  send(metrics: Record<string, number>): Promise<void>;
  close(): void;
}

async function openDevice(cluster: BenchCluster, port: number, id: string): Promise<BenchDevice> {
  const { token } = await registerDevice(cluster.db, { id });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  let welcomed: () => void = () => {};
  const welcome = new Promise<void>((resolve) => (welcomed = resolve));
  const reading = readJsonLines(conn, (frame) => {
    if (frame.type === "welcome") welcomed();
  });
  const encoder = new TextEncoder();
  const write = async (frame: unknown) => {
    const bytes = encoder.encode(JSON.stringify(frame) + "\n");
    for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
  };
  await write({ type: "hello", v: 1, device: id, token });
  await welcome;
  let seq = 0;
  return {
    id,
    send: (metrics) => write({ type: "reading", seq: ++seq, ts: Date.now(), metrics }),
    close() {
      conn.close();
      reading.catch(() => {});
    },
  };
}

/** Crosses the threshold and falls back ROUNDS times; returns the latencies after the first. */
async function crossRepeatedly(db: Db, device: BenchDevice, sink: WebhookSink, rounds: number) {
  const latencies: { total: number; stored: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const sent = clock();
    await device.send({ [METRIC]: 150 });
    const [fired, stored] = await Promise.all([
      arrival(sink, device.id, "firing", sent),
      storedAt(db, device.id, 150),
    ]);
    if (round > 0) latencies.push({ total: fired - sent, stored: stored - sent });
    await device.send({ [METRIC]: 20 });
    await arrival(sink, device.id, "resolved", clock());
  }
  return latencies;
}

/**
 * When the device's document first shows `value` as its newest reading (polled by `_id` every
 * 50 ms, gently: the database may be the bottleneck); NaN if not within WAIT_MS.
 */
async function storedAt(db: Db, device: string, value: number) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const doc = await collections(db).devices.findOne({ _id: device }, { projection: { last: 1 } });
    if (doc?.last?.metrics[METRIC] === value) return clock();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return NaN;
}

/** When the first webhook for `device` with `status` that arrived after `after` came; NaN if not within WAIT_MS. */
async function arrival(sink: WebhookSink, device: string, status: string, after: number) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const hook = sink.received.find((h) => {
      if (h.receivedAt < after) return false;
      const body = JSON.parse(h.body);
      return body.device === device && body.status === status;
    });
    if (hook) return hook.receivedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return NaN;
}
