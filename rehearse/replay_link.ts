/**
 * A raw protocol v1 session for replays: hello, then reading frames exactly as given (resends
 * included), counting how many times an ack covered each seq. The device library never resends
 * an acked reading, so the replay scenario speaks the protocol itself.
 */
import { readJsonLines } from "@fleetmon/shared/protocol";
import { waitUntil } from "./wait.ts";

export interface Reading {
  seq: number;
  ts: number;
  metrics: Record<string, number>;
}

export interface ReplayResult {
  node: string;
  /** Seqs sent that no ack covered. */
  unacked: number;
  nacks: number;
}

export async function sendReadings(
  target: { hostname: string; port: number },
  device: { id: string; token: string },
  readings: Reading[],
  timeoutMs: number,
): Promise<ReplayResult> {
  const conn = await Deno.connect(target);
  const acked = new Set<number>();
  let nacks = 0;
  let node = "";
  const retry: Reading[] = [];
  const bySeq = new Map(readings.map((r) => [r.seq, r]));
  const reader = readJsonLines(conn, (frame) => {
    if (frame.type === "welcome") node = String(frame.node);
    else if (frame.type === "ack") {
      const [from, to] = [Number(frame.from ?? frame.seq), Number(frame.seq)];
      for (const r of readings) if (r.seq >= from && r.seq <= to) acked.add(r.seq);
    } else if (frame.type === "nack") {
      nacks++;
      // rate_limited and server_busy: resend that reading after retryAfterMs (docs/protocol.md).
      const reading = bySeq.get(Number(frame.seq));
      if (reading && (frame.code === "rate_limited" || frame.code === "server_busy")) {
        setTimeout(() => retry.push(reading), Number(frame.retryAfterMs ?? 500));
      }
    }
  });
  const encoder = new TextEncoder();
  const write = async (frame: Record<string, unknown>) => {
    const bytes = encoder.encode(JSON.stringify(frame) + "\n");
    for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
  };
  try {
    await write({ type: "hello", v: 1, device: device.id, token: device.token });
    await waitUntil(`${device.id} welcomed`, 10_000, () => node !== "", 20);
    for (const r of readings) await write({ type: "reading", ...r });
    const deadline = performance.now() + timeoutMs;
    while (acked.size < readings.length && performance.now() < deadline) {
      // Resends paced at 100 a second, comm's default per-device rate.
      for (const r of retry.splice(0, 2)) {
        if (!acked.has(r.seq)) await write({ type: "reading", ...r });
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { node, unacked: readings.length - acked.size, nacks };
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
    await reader;
  }
}
