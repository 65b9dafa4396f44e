/**
 * Saturating load for scenario 10, as a process of its own (so its loops do not slow the
 * rehearsal's devices or its clock): one raw protocol session per device through lb(comm), each
 * keeping `--window` readings unacked at all times, so every connection sends as fast as comm
 * acks (comm reads each at most at its `ratePerSecond`). Prints `{"acked":N}` every 100 ms. When
 * its stdin closes, or after `--max-ms`, it stops sending, waits up to `--drain-ms` for the acks
 * still due, and prints one JSON line: per device the first seq and the acked seq ranges. A "p"
 * on stdin pauses the sending (connections stay open), an "r" resumes it; `--paused` starts so.
 *
 *   deno run --allow-net --allow-read rehearse/saturate.ts --target 10.231.0.10:7000 \
 *     --devices devices.json --window 100 --max-ms 300000
 */
import { parseArgs } from "node:util";
import { readJsonLines } from "@fleetmon/shared/protocol";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string" },
    devices: { type: "string" },
    window: { type: "string", default: "100" },
    paused: { type: "boolean", default: false },
    "max-ms": { type: "string", default: "300000" },
    "drain-ms": { type: "string", default: "30000" },
  },
});
const [hostname, port] = [values.target!.split(":")[0], Number(values.target!.split(":")[1])];
const devices: { id: string; token: string }[] = JSON.parse(
  await Deno.readTextFile(values.devices!),
);
const windowSize = Number(values.window);
const encoder = new TextEncoder();
let stopping = false;
/** While paused (a "p" on stdin, until an "r"), connections send nothing new. */
let paused = values.paused;
let ackedTotal = 0;

interface Session {
  id: string;
  node: string;
  base: number;
  sent: number;
  /** acked[k]: seq base + k acked. */
  acked: boolean[];
  ackedCount: number;
  nacks: number;
  error?: string;
}

async function run(device: { id: string; token: string }, base: number): Promise<Session> {
  const s: Session = { id: device.id, node: "", base, sent: 0, acked: [], ackedCount: 0, nacks: 0 };
  let wake = () => {};
  const conn = await Deno.connect({ hostname, port });
  const reader = readJsonLines(conn, (frame) => {
    if (frame.type === "welcome") s.node = String(frame.node);
    else if (frame.type === "ack") {
      const [from, to] = [Number(frame.from ?? frame.seq) - base, Number(frame.seq) - base];
      for (let k = Math.max(0, from); k <= to && k < s.sent; k++) {
        if (!s.acked[k]) {
          s.acked[k] = true;
          s.ackedCount++;
          ackedTotal++;
        }
      }
    } else if (frame.type === "nack") s.nacks++;
    wake();
  }).catch((error) => void (s.error = String(error)));
  const write = async (frames: string) => {
    const bytes = encoder.encode(frames);
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  try {
    await write(
      JSON.stringify({ type: "hello", v: 1, device: device.id, token: device.token }) +
        "\n",
    );
    while (!stopping) {
      const room = paused ? 0 : windowSize - (s.sent - s.ackedCount);
      if (room > 0) {
        let frames = "";
        for (let k = 0; k < room; k++) {
          const seq = base + s.sent++;
          frames += JSON.stringify({
            type: "reading",
            seq,
            ts: Date.now(),
            metrics: { load: (seq % 100) / 100 },
          }) + "\n";
        }
        await write(frames);
      }
      // Until an ack makes room (or 200 ms pass, to notice a stop).
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const deadline = performance.now() + Number(values["drain-ms"]);
    while (s.ackedCount < s.sent && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    s.error = String(error);
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
    await reader;
  }
  return s;
}

/** The acked seqs of a session as [from, to] ranges. */
function ackedRanges(s: Session): [number, number][] {
  const out: [number, number][] = [];
  for (let k = 0; k < s.sent; k++) {
    if (!s.acked[k]) continue;
    const last = out.at(-1);
    if (last && last[1] === s.base + k - 1) last[1] = s.base + k;
    else out.push([s.base + k, s.base + k]);
  }
  return out;
}

const progress = setInterval(() => console.log(JSON.stringify({ acked: ackedTotal })), 100);
const maxTimer = setTimeout(() => stopping = true, Number(values["max-ms"]));
// Stops once the scenario closes our stdin (or it goes away).
(async () => {
  for await (const bytes of Deno.stdin.readable) {
    for (const byte of bytes) {
      if (byte === 0x70) paused = true; // "p"
      if (byte === 0x72) paused = false; // "r"
    }
  }
  stopping = true;
})();
const base = Date.now() * 1000;
const sessions = await Promise.all(devices.map((d, i) => run(d, base + i * 10_000_000)));
clearInterval(progress);
clearTimeout(maxTimer);
console.log(JSON.stringify({
  acked: ackedTotal,
  devices: sessions.map((s) => ({
    id: s.id,
    node: s.node,
    sent: s.sent,
    acked: ackedRanges(s),
    nacks: s.nacks,
    error: s.error,
  })),
}));
Deno.exit(0);
