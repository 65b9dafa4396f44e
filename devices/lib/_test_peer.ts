/**
 * A scripted protocol v1 server for the client's unit tests: real TCP on loopback, frames as
 * the test decides, so each corner of the protocol (retry later, reconnect, refusals, silence)
 * can be produced on demand. The real comm node is exercised in tests/devices_*_test.ts.
 */
import { eventually } from "@fleetmon/shared/testing";

export type Frame = Record<string, unknown>;

export interface PeerConnection {
  /** Frames received from the device, in order. */
  frames: Frame[];
  acceptedAt: number;
  send(...frames: Frame[]): Promise<void>;
  close(): void;
  closed: Promise<void>;
}

/** Decides what to answer to each frame; the default welcomes hello and acks each reading. */
export type Script = (conn: PeerConnection, frame: Frame) => Frame[] | void;

export const ackEverything: Script = (_conn, frame) => {
  if (frame.type === "hello") return [{ type: "welcome", v: 1, node: "peer", limits: {} }];
  if (frame.type === "reading") return [{ type: "ack", seq: frame.seq }];
  if (frame.type === "ping") return [{ type: "pong" }];
};

export interface TestPeer {
  port: number;
  connections: PeerConnection[];
  /** Every reading frame received, over all connections. */
  readings(): Frame[];
  waitFor(check: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startTestPeer(script: Script = ackEverything, port = 0): TestPeer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port });
  const connections: PeerConnection[] = [];
  const handlers: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) handlers.push(serve(conn, script, connections));
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    connections,
    readings: () => connections.flatMap((c) => c.frames.filter((f) => f.type === "reading")),
    waitFor: (check, timeoutMs = 5_000, what = "condition") => eventually(check, timeoutMs, what),
    async close() {
      listener.close();
      await accepting;
      for (const c of connections) c.close();
      await Promise.all(handlers);
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}

async function serve(conn: Deno.Conn, script: Script, connections: PeerConnection[]) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  let open = true;
  const peer: PeerConnection = {
    frames: [],
    acceptedAt: Date.now(),
    async send(...frames) {
      const bytes = encoder.encode(frames.map((f) => JSON.stringify(f) + "\n").join(""));
      let offset = 0;
      try {
        while (offset < bytes.length) offset += await conn.write(bytes.subarray(offset));
      } catch {
        // the device went away; the test sees it in `closed`
      }
    },
    close() {
      if (!open) return;
      open = false;
      try {
        conn.close();
      } catch {
        // already closed
      }
    },
    closed: Promise.resolve(),
  };
  connections.push(peer);
  let done!: () => void;
  peer.closed = new Promise((resolve) => done = resolve);
  const buffer = new Uint8Array(16_384);
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
        peer.frames.push(frame);
        const answers = script(peer, frame);
        if (answers && answers.length > 0) await peer.send(...answers);
      }
    }
  } catch {
    // closed under us
  }
  peer.close();
  done();
}

export { eventually };
