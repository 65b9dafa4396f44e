/**
 * Load for `deno task bench:comm`, run as its own process so it does not share comm's core.
 *   ingest: N devices send readings as fast as a window of unacked readings allows; prints acked/s.
 *   idle:   N devices say hello and then stay silent until SIGTERM.
 *   storm:  opens and closes connections without a byte, like LB health checks, at a set rate.
 * Prints one JSON line with its result. Every mode stops by itself or on SIGTERM.
 */
import { parseArgs } from "node:util";
import { parseHostPort } from "@fleetmon/shared/net";
import { readJsonLines } from "@fleetmon/shared/protocol";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    mode: { type: "string" },
    target: { type: "string" },
    tokens: { type: "string" },
    devices: { type: "string", default: "1" },
    seconds: { type: "string", default: "5" },
    rate: { type: "string", default: "2000" },
    window: { type: "string", default: "4000" },
    "per-device": { type: "string" },
    /** Metrics per reading: 2 (cpu, mem) unless given; bench:data sends 8. */
    metrics: { type: "string", default: "2" },
  },
});
const target = parseHostPort(values.target!);
const seconds = Number(values.seconds);
const encoder = new TextEncoder();
const out = (result: Record<string, unknown>) =>
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(result) + "\n"));
let stopped = false;
Deno.addSignalListener("SIGTERM", () => stopped = true);

interface Link {
  conn: Deno.TcpConn;
  acked: number;
  waiting: (() => void) | undefined;
}

async function connect(device: string, token: string): Promise<Link> {
  const conn = await Deno.connect(target);
  conn.setNoDelay(true);
  const link: Link = { conn, acked: 0, waiting: undefined };
  await conn.write(encoder.encode(JSON.stringify({ type: "hello", v: 1, device, token }) + "\n"));
  let welcomed!: () => void;
  const welcome = new Promise<void>((resolve) => welcomed = resolve);
  readJsonLines(conn, (frame) => {
    if (frame.type === "welcome") welcomed();
    else if (frame.type === "ack") {
      link.acked += (frame.seq as number) - ((frame.from ?? frame.seq) as number) + 1;
      link.waiting?.();
    } else if (frame.type === "nack") throw new Error(`nack: ${JSON.stringify(frame)}`);
  }).catch((error) => {
    if (!stopped) out({ error: String(error) });
  });
  await welcome;
  return link;
}

const EXTRA_METRICS = ["temp", "load1", "disk", "rx", "tx", "errors"]
  .slice(0, Math.max(0, Number(values.metrics) - 2));
/** The metrics beyond cpu and mem, as JSON members. */
const extraMetrics = (n: number) =>
  EXTRA_METRICS.map((m, i) => `,"${m}":${(n * (i + 3)) % 1000}`).join("");

/** Sends as fast as the window allows, or at most `perSecond` readings a second when given. */
async function ingest(link: Link, deadline: number, window: number, perSecond?: number) {
  const ts = Date.now();
  const started = performance.now();
  const chunkSize = perSecond ? Math.max(1, Math.round(perSecond / 100)) : 200;
  // Like the device library: seqs start at now_ms × 1000, so every run sends new readings, and
  // their ids (`device:seq`, all of one length) sort in the order they are sent.
  const firstSeq = ts * 1000;
  let sent = 0;
  while (Date.now() < deadline && !stopped) {
    if (sent - link.acked >= window) {
      await new Promise<void>((resolve) => link.waiting = resolve);
      continue;
    }
    if (perSecond && sent >= ((performance.now() - started) / 1000) * perSecond) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      continue;
    }
    let chunk = "";
    for (let i = 0; i < chunkSize; i++) {
      sent++;
      chunk += `{"type":"reading","seq":${firstSeq + sent},"ts":${ts},"metrics":{"cpu":${
        (sent % 100) / 100
      },"mem":${sent % 4096}${extraMetrics(sent)}}}\n`;
    }
    const bytes = encoder.encode(chunk);
    let offset = 0;
    while (offset < bytes.length) offset += await link.conn.write(bytes.subarray(offset));
  }
  return sent;
}

const tokens: [string, string][] = values.tokens
  ? Object.entries(JSON.parse(await Deno.readTextFile(values.tokens)))
  : [];
const devices = tokens.slice(0, Number(values.devices));

if (values.mode === "ingest") {
  const links = await Promise.all(devices.map(([device, token]) => connect(device, token)));
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  const perDevice = values["per-device"] ? Number(values["per-device"]) : undefined;
  await Promise.all(links.map((link) => ingest(link, deadline, Number(values.window), perDevice)));
  const elapsed = (performance.now() - started) / 1000;
  const acked = links.reduce((sum, link) => sum + link.acked, 0);
  out({
    mode: "ingest",
    devices: links.length,
    seconds: elapsed,
    acked,
    ackedPerSecond: acked / elapsed,
  });
  for (const link of links) link.conn.close();
} else if (values.mode === "idle") {
  const links: Link[] = [];
  for (let i = 0; i < devices.length; i += 200) {
    const batch = devices.slice(i, i + 200);
    links.push(...await Promise.all(batch.map(([device, token]) => connect(device, token))));
  }
  out({ mode: "idle", connected: links.length });
  while (!stopped) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const link of links) link.conn.close();
} else if (values.mode === "storm") {
  const rate = Number(values.rate);
  const started = performance.now();
  let made = 0;
  let failed = 0;
  while (performance.now() - started < seconds * 1000 && !stopped) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    const burst: Promise<void>[] = [];
    for (; made < due; made++) {
      burst.push(Deno.connect(target).then((conn) => conn.close(), () => void failed++));
    }
    await Promise.all(burst);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const elapsed = (performance.now() - started) / 1000;
  out({ mode: "storm", connects: made, failed, perSecond: made / elapsed });
} else {
  out({ error: `unknown mode ${values.mode}` });
  Deno.exit(2);
}
Deno.exit(0);
