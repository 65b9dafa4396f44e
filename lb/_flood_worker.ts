/**
 * A test's flood of new connections, on a thread of its own so the test's main thread (where the
 * balancer's control plane runs) is not the one kept busy. It also serves the backends, for the
 * same reason: each answers "x\n" and closes.
 *
 * Messages in: { type: "flood", target: HostPort, loops } starts `loops` clients that connect,
 * read one line and close, again and again; { type: "stop" } ends them. Out: { type: "backends",
 * ports } once listening, { type: "stopped", connections, failed } when the clients are done.
 */
/// <reference lib="deno.worker" />
import type { HostPort } from "@fleetmon/shared/net";

const BACKENDS = 2;
const listeners = Array.from(
  { length: BACKENDS },
  () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
);
const answer = new TextEncoder().encode("x\n");

for (const listener of listeners) {
  (async () => {
    try {
      for await (const conn of listener) {
        conn.write(answer).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch {
            // The client went first.
          }
        });
      }
    } catch {
      // The listener was closed.
    }
  })();
}
self.postMessage({ type: "backends", ports: listeners.map((l) => l.addr.port) });

let stopped = false;
let connections = 0;
let failed = 0;

async function client(target: HostPort): Promise<void> {
  const buffer = new Uint8Array(16);
  while (!stopped) {
    try {
      using conn = await Deno.connect(target);
      if ((await conn.read(buffer)) === null) failed++;
      else connections++;
    } catch {
      failed++;
    }
  }
}

let clients: Promise<void>[] = [];
self.onmessage = async (event: MessageEvent) => {
  const message = event.data;
  if (message.type === "flood") {
    clients = Array.from({ length: message.loops }, () => client(message.target));
  } else if (message.type === "stop") {
    stopped = true;
    await Promise.all(clients);
    for (const listener of listeners) listener.close();
    self.postMessage({ type: "stopped", connections, failed });
  }
};
