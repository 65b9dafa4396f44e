/**
 * alert_latency_p95_ms: from a device sending the reading that crosses a threshold to the
 * rule's webhook arriving, through the real path: a device on TCP → comm (stores, writes the
 * device's newest reading once a second) → the web node holding the alerts lease (evaluates the
 * whole 10,000-device fleet every --alert-tick-ms, default 1 s) → HTTP POST to a local receiver.
 * DEVICES devices each cross and fall back ROUNDS times, side by side; every crossing is a sample.
 * Measured twice: with only those devices sending, then while LOAD_DEVICES simulated devices
 * (`deno task sim`) send LOAD_RATE readings a second each through the same comm node.
 */
import { registerDevice } from "@fleetmon/shared/db";
import { readJsonLines } from "@fleetmon/shared/protocol";
import { freePort } from "@fleetmon/shared/socket";
import { isListening } from "@fleetmon/shared/supervisor";
import { startWebhookSink, type WebhookSink } from "@fleetmon/shared/testing";
import { type BenchCluster, denoArgs } from "./_cluster.ts";
import { percentile, round } from "./_measure.ts";

const DEVICES = 4;
const ROUNDS = 10;
const WAIT_MS = 30_000;
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
    const quiet = await measure(devices, sink);
    say(`  quiet: p50 ${round(percentile(quiet, 50))} ms, max ${round(quiet.at(-1)!)} ms`);
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
    const loaded = await measure(devices, sink);
    await sim.stop();
    say(`  loaded: p50 ${round(percentile(loaded, 50))} ms, max ${round(loaded.at(-1)!)} ms`);
    return {
      alert_latency_p95_ms: round(percentile(quiet, 95)),
      alert_latency_p50_ms: round(percentile(quiet, 50)),
      alert_latency_p95_ms_500_sending: round(percentile(loaded, 95)),
      alert_latency_samples: quiet.length + loaded.length,
    };
  } finally {
    for (const d of devices) d.close();
  }
}

/** Every device crosses ROUNDS times, side by side; the latencies, sorted. */
async function measure(devices: BenchDevice[], sink: WebhookSink): Promise<number[]> {
  return (await Promise.all(devices.map((d) => crossRepeatedly(d, sink))))
    .flat().sort((a, b) => a - b);
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
async function crossRepeatedly(device: BenchDevice, sink: WebhookSink): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sent = clock();
    await device.send({ [METRIC]: 150 });
    const fired = await arrival(sink, device.id, "firing", sent);
    if (round > 0) latencies.push(fired - sent);
    await device.send({ [METRIC]: 20 });
    await arrival(sink, device.id, "resolved", clock());
  }
  return latencies;
}

/** When the first webhook for `device` with `status` that arrived after `after` came. */
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
  throw new Error(`No ${status} webhook for ${device} within ${WAIT_MS} ms`);
}
