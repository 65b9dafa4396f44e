/**
 * The portable engine: Deno's sockets (`Deno.listen`, `Deno.connect`), a read/write loop per
 * direction.
 */
import type { HostPort } from "@fleetmon/shared/net";
import type { ProxyContext } from "../connect_policy.ts";
import { type Engine, HOLD_OFF_MS } from "../engine.ts";
import { BufferPool } from "./buffer_pool.ts";
import { AcceptLoop } from "./listener.ts";
import { proxyConnection } from "./proxy.ts";

export interface DenoDataPlaneOptions {
  listen: HostPort;
  maxConnections: number;
  proxy: ProxyContext;
  /** Size of the large relay buffer a direction borrows while data streams. */
  bufferBytes: number;
}

export class DenoDataPlane implements Engine {
  readonly engine = "deno";
  readonly port: number;
  readonly #accepting: AcceptLoop;

  constructor(options: DenoDataPlaneOptions) {
    const { listen, proxy } = options;
    const listener = Deno.listen({ hostname: listen.hostname, port: listen.port });
    this.port = listener.addr.port;
    const buffers = new BufferPool({ largeBytes: options.bufferBytes });
    this.#accepting = new AcceptLoop({
      listener,
      maxConnections: options.maxConnections,
      handle: (conn) => proxyConnection(conn, proxy, buffers),
      logger: proxy.logger,
    });
  }

  get active(): number {
    return this.#accepting.active;
  }

  get acceptErrors(): number {
    return this.#accepting.acceptErrors;
  }

  stopAccepting(): Promise<void> {
    this.#accepting.stop();
    return this.#accepting.done;
  }

  holdOff(): void {
    this.#accepting.holdOff(HOLD_OFF_MS);
  }

  idle(): Promise<void> {
    return this.#accepting.idle();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
