/** A minimal protocol v1 device for the multi-process tests: hello, readings, ack bookkeeping. */
import { readJsonLines } from "@fleetmon/shared/protocol";
export interface DeviceLink {
  device: string;
  /** The comm node that welcomed this device. */
  node: string;
  nacks: Record<string, unknown>[];
  /** Every ack so far, as the range it covered. */
  acks: readonly { from: number; seq: number }[];
  send(frame: Record<string, unknown>): Promise<void>;
  /** Waits until every seq from `firstSeq` (default 1) to `lastSeq` was covered by an ack. */
  waitForAcked(lastSeq: number, timeoutMs: number, firstSeq?: number): Promise<void>;
  /** How many acks covered each seq from 1 to `lastSeq`. */
  ackCounts(lastSeq: number): number[];
  close(): Promise<void>;
}

export async function connectDevice(
  options: { port: number; device: string; token: string; hostname?: string },
): Promise<DeviceLink> {
  const conn = await Deno.connect({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port,
  });
  const encoder = new TextEncoder();
  const acks: { from: number; seq: number }[] = [];
  const nacks: Record<string, unknown>[] = [];
  let welcome: ((node: string) => void) | undefined;
  const welcomed = new Promise<string>((resolve) => welcome = resolve);
  const reader = readJsonLines(conn, (frame) => {
    if (frame.type === "welcome") welcome?.(frame.node as string);
    else if (frame.type === "ack") {
      acks.push({ from: (frame.from ?? frame.seq) as number, seq: frame.seq as number });
    } else if (frame.type === "nack") nacks.push(frame);
  });
  const send = async (frame: Record<string, unknown>) => {
    const bytes = encoder.encode(JSON.stringify(frame) + "\n");
    let offset = 0;
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  };
  await send({ type: "hello", v: 1, device: options.device, token: options.token });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const node = await Promise.race([
    welcomed,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${options.device}: no welcome; nacks ${JSON.stringify(nacks)}`)),
        10_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));
  const ackCounts = (lastSeq: number) => {
    const counts = new Array(lastSeq).fill(0);
    for (const { from, seq } of acks) {
      for (let s = from; s <= seq && s <= lastSeq; s++) counts[s - 1]++;
    }
    return counts;
  };
  return {
    device: options.device,
    node,
    nacks,
    acks,
    send,
    ackCounts,
    async waitForAcked(lastSeq, timeoutMs, firstSeq = 1) {
      const deadline = Date.now() + timeoutMs;
      while (ackCounts(lastSeq).slice(firstSeq - 1).some((n) => n === 0)) {
        if (Date.now() > deadline) {
          throw new Error(`${options.device}: not all of ${firstSeq}..${lastSeq} acked`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      try {
        conn.close();
      } catch {
        // already closed
      }
      await reader;
    },
  };
}
