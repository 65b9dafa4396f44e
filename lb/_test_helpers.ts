/** Real loopback backends and small waiting helpers for lb's tests. */
import { createMemoryLogger } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import { freePort } from "@fleetmon/shared/socket";
import { type Balancer, type BalancerOptions, createBalancer } from "./balancer.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export type ConnHandler = (conn: Deno.TcpConn) => Promise<void>;

export interface TestBackend {
  name: string;
  addr: HostPort;
  /** Connections accepted, health checks included. */
  accepted: number;
  /** Connections that sent at least one byte (health checks send none). */
  served: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * A backend on 127.0.0.1: by default it greets with `name\n` and then echoes; `handler` replaces
 * that. `port` reopens a backend where an earlier one was.
 */
export function startBackend(
  name: string,
  options: { hostname?: string; port?: number; handler?: ConnHandler } = {},
): TestBackend {
  const hostname = options.hostname ?? "127.0.0.1";
  const listener = Deno.listen({ hostname, port: options.port ?? 0 });
  const open = new Set<Deno.TcpConn>();
  let closing: Promise<void> | undefined;
  const serving = new Set<Promise<void>>();
  const backend: TestBackend = {
    name,
    addr: { hostname, port: listener.addr.port },
    accepted: 0,
    served: 0,
    close: () =>
      closing ??= (async () => {
        listener.close();
        for (const conn of open) quietly(() => conn.close());
        await loop;
        await Promise.all(serving);
      })(),
    [Symbol.asyncDispose]: () => backend.close(),
  };
  const handler = options.handler ?? (async (conn) => {
    await conn.write(encoder.encode(`${name}\n`));
    await echo(conn, () => backend.served++);
  });
  const loop = (async () => {
    try {
      for await (const conn of listener) {
        backend.accepted++;
        open.add(conn);
        const done: Promise<void> = handler(conn)
          .catch(() => {})
          .finally(() => {
            quietly(() => conn.close());
            open.delete(conn);
            serving.delete(done);
          });
        serving.add(done);
      }
    } catch {
      // The listener was closed.
    }
  })();
  return backend;
}

/** Echoes until the peer ends its side, then ends ours. */
export async function echo(conn: Deno.TcpConn, onFirstByte?: () => void): Promise<void> {
  const buffer = new Uint8Array(16 * 1024);
  let first = true;
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    if (first) onFirstByte?.();
    first = false;
    let offset = 0;
    while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
  }
  await conn.closeWrite();
}

export function quietly(action: () => void): void {
  try {
    action();
  } catch {
    // Already closed.
  }
}

/** Reads until `count` bytes or EOF. */
export async function readBytes(conn: Deno.Conn, count: number): Promise<Uint8Array> {
  const out = new Uint8Array(count);
  let length = 0;
  while (length < count) {
    const n = await conn.read(out.subarray(length));
    if (n === null) break;
    length += n;
  }
  return out.subarray(0, length);
}

/** Reads one line (without its newline), or what came before EOF. */
export async function readLine(conn: Deno.Conn): Promise<string> {
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  while (true) {
    const n = await conn.read(one);
    if (n === null || one[0] === 10) return decoder.decode(new Uint8Array(bytes));
    bytes.push(one[0]);
  }
}

/** Reads everything up to EOF as text. */
export async function readToEnd(conn: Deno.Conn): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(16 * 1024);
  while (true) {
    const n = await conn.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
  }
  return decoder.decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
}

export const send = (conn: Deno.Conn, text: string) => conn.write(encoder.encode(text));

/** Connects to the balancer and reads the greeting line of whichever backend answered. */
export async function whoAnswers(addr: HostPort): Promise<string> {
  using conn = await Deno.connect(addr);
  return await readLine(conn);
}

/** Polls `condition` every 5 ms until it holds, or fails after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  message: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`Timed out waiting: ${message}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A port that nothing listens on (it was free a moment ago). */
export const deadPort = (): number => freePort();

/** Tests of the data plane run once per engine. */
export const ENGINES = ["epoll", "deno"] as const;

export async function testBalancer(
  backends: { name: string; addr: HostPort }[],
  options: Partial<BalancerOptions> = {},
): Promise<Balancer & { logger: ReturnType<typeof createMemoryLogger> }> {
  const logger = createMemoryLogger("lb");
  const balancer = await createBalancer({
    listen: { hostname: "127.0.0.1", port: 0 },
    admin: null,
    backends: backends.map((b) => ({ id: b.name, address: b.addr })),
    checkIntervalMs: 50,
    // Generous: on a busy machine a check to a live backend must not time out.
    checkTimeoutMs: 1000,
    shutdownTimeoutMs: 1000,
    logger,
    ...options,
  });
  return Object.assign(balancer, { logger });
}

export function stateOf(balancer: Balancer, id: string): string | undefined {
  return balancer.backends().find((b) => b.id === id)?.state;
}

export async function allUp(balancer: Balancer): Promise<void> {
  await waitFor(
    () => balancer.backends().every((b) => b.state === "up"),
    "every backend up",
  );
}
