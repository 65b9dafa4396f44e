/**
 * A raw protocol v1 device for tests: sends lines or bytes exactly as given, collects the
 * server's frames. comm's tests and the conformance suite speak to comm through it.
 */
import { readJsonLines } from "../protocol/json_lines.ts";
export interface TestDevice {
  conn: Deno.Conn;
  frames: Record<string, unknown>[];
  send(...frames: (Record<string, unknown> | string)[]): Promise<void>;
  sendBytes(bytes: Uint8Array): Promise<void>;
  /** Waits for a frame matching `match`, or fails after `timeoutMs`. */
  waitFor(
    match: (frame: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function connectTestDevice(
  port: number,
  hostname = "127.0.0.1",
): Promise<TestDevice> {
  const conn = await Deno.connect({ hostname, port });
  const frames: Record<string, unknown>[] = [];
  let waiters: (() => void)[] = [];
  const wake = () => {
    for (const waiter of waiters) waiter();
    waiters = [];
  };
  const closed = readJsonLines(conn, (frame) => {
    frames.push(frame);
    wake();
  }).finally(wake);
  closed.catch(() => {}); // handled where it is awaited; this only stops an early unhandled report
  let isClosed = false;
  closed.then(() => isClosed = true);
  const write = async (bytes: Uint8Array) => {
    let offset = 0;
    while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
  };
  return {
    conn,
    frames,
    closed,
    send: (...items) =>
      write(new TextEncoder().encode(
        items.map((f) => (typeof f === "string" ? f : JSON.stringify(f)) + "\n").join(""),
      )),
    sendBytes: write,
    async waitFor(match, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = frames.find(match);
        if (found) return found;
        if (isClosed) throw new Error(`Connection closed; frames: ${JSON.stringify(frames)}`);
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`No matching frame in ${timeoutMs} ms: ${JSON.stringify(frames)}`);
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
    },
    async [Symbol.asyncDispose]() {
      try {
        conn.close();
      } catch {
        // closed by the server already
      }
      await closed;
    },
  };
}
