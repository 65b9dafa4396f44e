/**
 * Hostile traffic for scenario 8, as a process of its own (so its busy loops do not slow the
 * rehearsal's devices): a connect-and-close storm, fuzzed frames, oversized lines, slow-drip
 * connections and a poison reading, all through lb(comm), for `--duration-ms`. Every loop is
 * bounded by that duration and by counts. Prints one JSON line of what it did.
 *
 *   deno run -A rehearse/hostile.ts --target 10.231.0.10:7000 --device ID --token T --duration-ms 10000
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    target: { type: "string" },
    device: { type: "string" },
    token: { type: "string" },
    "duration-ms": { type: "string", default: "10000" },
    "storm-per-s": { type: "string", default: "2000" },
    "storm-in-flight": { type: "string", default: "200" },
  },
});
const [hostname, port] = [values.target!.split(":")[0], Number(values.target!.split(":")[1])];
const durationMs = Number(values["duration-ms"]);
const end = performance.now() + durationMs;
const encoder = new TextEncoder();
const counts = {
  storm: 0,
  stormFailed: 0,
  fuzz: 0,
  oversized: 0,
  slowDrip: 0,
  poison: 0,
  poisonNacked: 0,
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why connects failed, by error name (e.g. ConnectionRefused, AddrNotAvailable), for the report. */
const connectErrors: Record<string, number> = {};

async function connect(): Promise<Deno.TcpConn | undefined> {
  try {
    return await Deno.connect({ hostname, port });
  } catch (error) {
    const name = error instanceof Error ? error.name : "unknown";
    connectErrors[name] = (connectErrors[name] ?? 0) + 1;
    return undefined;
  }
}

function close(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // closed already
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<boolean> {
  try {
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
    return true;
  } catch {
    return false;
  }
}

/**
 * Connects and closes without a byte, like a health check, `perSecond` times a second: connect
 * `i` is due at start + i/perSecond, taken by whichever of `inFlight` connectors is free, so one
 * slow handshake delays only its own connector (a group awaited as a whole went at the pace of
 * its slowest connect: 495/s in the full run of 2026-12-02).
 */
async function storm(perSecond: number, inFlight: number): Promise<void> {
  const start = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (true) {
      const due = start + (next++ * 1000) / perSecond;
      if (due >= end) return;
      const wait = due - performance.now();
      if (wait >= 1) await sleep(wait);
      const conn = await connect();
      if (conn) {
        counts.storm++;
        close(conn);
      } else counts.stormFailed++;
    }
  }));
}

/** Random bytes, broken JSON, frames of the wrong type: 20 connections a second. */
async function fuzz(): Promise<void> {
  const junk = [
    () => crypto.getRandomValues(new Uint8Array(200)),
    () => encoder.encode('{"type":"hello","v":1,"device":\n'),
    () => encoder.encode('{"type":"reading","seq":"x"}\n'),
    () => encoder.encode("\u0000\u0001\u0002\n[1,2,3]\nnull\n"),
    () => encoder.encode('{"type":"hello","v":99,"device":"x","token":"y"}\n'),
  ];
  for (let i = 0; performance.now() < end; i++) {
    const conn = await connect();
    if (conn) {
      await writeAll(conn, junk[i % junk.length]());
      counts.fuzz++;
      await sleep(20);
      close(conn);
    }
    await sleep(30);
  }
}

/** A line of 70,000 bytes (past the 65,536 limit), twice a second. */
async function oversized(): Promise<void> {
  const line = encoder.encode(`{"type":"hello","device":"${"x".repeat(70_000)}"}\n`);
  while (performance.now() < end) {
    const conn = await connect();
    if (conn) {
      await writeAll(conn, line);
      counts.oversized++;
      await sleep(100);
      close(conn);
    }
    await sleep(400);
  }
}

/** Ten connections dripping a hello one byte every 200 ms. */
async function slowDrip(): Promise<void> {
  const hello = encoder.encode(`{"type":"hello","v":1,"device":"drip","token":"nope"}\n`);
  await Promise.all(Array.from({ length: 10 }, async () => {
    const conn = await connect();
    if (!conn) return;
    counts.slowDrip++;
    for (let i = 0; i < hello.length && performance.now() < end; i++) {
      if (!await writeAll(conn, hello.subarray(i, i + 1))) break;
      await sleep(200);
    }
    close(conn);
  }));
}

/** A registered device sends readings comm must refuse, one a second, and waits for the nack. */
async function poison(): Promise<void> {
  const conn = await connect();
  if (!conn) return;
  const buffer = new Uint8Array(65_536);
  let text = "";
  const reader = (async () => {
    try {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        text += new TextDecoder().decode(buffer.subarray(0, n));
        counts.poisonNacked = (text.match(/"type":"nack"/g) ?? []).length;
      }
    } catch {
      // closed
    }
  })();
  await writeAll(
    conn,
    encoder.encode(
      JSON.stringify({ type: "hello", v: 1, device: values.device, token: values.token }) + "\n",
    ),
  );
  const base = Date.now() * 1000;
  const bad = [{ "a.b": 1 }, { $where: 1 }, { x: "NaN" }, {}, { ["m".repeat(300)]: 1 }];
  for (let i = 0; performance.now() < end; i++) {
    const metrics = bad[i % bad.length];
    await writeAll(
      conn,
      encoder.encode(
        JSON.stringify({ type: "reading", seq: base + i, ts: Date.now(), metrics }) + "\n",
      ),
    );
    counts.poison++;
    await sleep(1_000);
  }
  close(conn);
  await reader;
}

await Promise.all([
  storm(Number(values["storm-per-s"]), Number(values["storm-in-flight"])),
  fuzz(),
  oversized(),
  slowDrip(),
  poison(),
]);
console.log(JSON.stringify({ ...counts, durationMs, connectErrors }));
