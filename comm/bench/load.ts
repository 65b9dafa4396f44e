/**
 * Load for `deno task bench:comm`, run as its own process so it does not share comm's core.
 *   ingest: N devices send readings as fast as a window of unacked readings allows; prints acked/s.
 *   idle:   N devices say hello and then stay silent until SIGTERM.
 *   storm:  opens and closes connections without a byte, like LB health checks, at a set rate.
 * Prints one JSON line with its result. Every mode stops by itself or on SIGTERM.
 */
import { parseArgs } from "node:util";
import { parseHostPort } from "@fleetmon/shared/net";

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
  (async () => {
    const buffer = new Uint8Array(16_384);
    const decoder = new TextDecoder();
    let text = "";
    try {
      for (;;) {
        const n = await conn.read(buffer);
        if (n === null) break;
        text += decoder.decode(buffer.subarray(0, n), { stream: true });
        let newline;
        while ((newline = text.indexOf("\n")) !== -1) {
          const frame = JSON.parse(text.slice(0, newline));
          text = text.slice(newline + 1);
          if (frame.type === "welcome") welcomed();
          else if (frame.type === "ack") link.acked += frame.seq - (frame.from ?? frame.seq) + 1;
          else if (frame.type === "nack") throw new Error(`nack: ${JSON.stringify(frame)}`);
        }
        link.waiting?.();
      }
    } catch (error) {
      if (!stopped) out({ error: String(error) });
    }
  })();
  await welcome;
  return link;
}

async function ingest(link: Link, deadline: number, window: number): Promise<number> {
  const ts = Date.now();
  let seq = 0;
  while (Date.now() < deadline && !stopped) {
    if (seq - link.acked >= window) {
      await new Promise<void>((resolve) => link.waiting = resolve);
      continue;
    }
    let chunk = "";
    for (let i = 0; i < 200; i++) {
      seq++;
      chunk += `{"type":"reading","seq":${seq},"ts":${ts},"metrics":{"cpu":${
        (seq % 100) / 100
      },"mem":${seq % 4096}}}\n`;
    }
    const bytes = encoder.encode(chunk);
    let offset = 0;
    while (offset < bytes.length) offset += await link.conn.write(bytes.subarray(offset));
  }
  return seq;
}

const tokens: [string, string][] = values.tokens
  ? Object.entries(JSON.parse(await Deno.readTextFile(values.tokens)))
  : [];
const devices = tokens.slice(0, Number(values.devices));

if (values.mode === "ingest") {
  const links = await Promise.all(devices.map(([device, token]) => connect(device, token)));
  const started = performance.now();
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(links.map((link) => ingest(link, deadline, Number(values.window))));
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
