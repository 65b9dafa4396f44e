/**
 * The data plane: the listening socket, accepting, and relaying client connections. Two engines
 * do the same work and share the control plane (backends, round robin, health, counters):
 *
 * - `epoll` (Linux, `--allow-ffi`): one epoll loop on libc calls through Deno's FFI, about as
 *   cheap per connection as HAProxy (see docs/lb.md, Benchmark).
 * - `deno`: Deno's own sockets (`Deno.listen`, `Deno.connect`), portable, and able to connect to
 *   backends given by name.
 *
 * `auto` picks epoll where it can run and every address is an IP literal, deno otherwise.
 */
import type { HostPort } from "@fleetmon/shared/net";
import { isIpLiteral } from "@fleetmon/shared/ip";
import type { BackendSpec } from "./backend.ts";
import { BufferPool } from "./buffer_pool.ts";
import { epollUnsupportedReason } from "./epoll/libc.ts";
import { AcceptLoop } from "./listener.ts";
import { proxyConnection, type ProxyContext } from "./proxy.ts";

export type EngineName = "epoll" | "deno";
export type EngineChoice = EngineName | "auto";

/** How long accepting pauses when serving a client ran out of file descriptors. */
export const HOLD_OFF_MS = 100;

export interface DataPlane {
  readonly engine: EngineName;
  /** The port it listens on (the real one when asked for port 0). */
  readonly port: number;
  /** Client connections accepted and not yet closed. */
  readonly active: number;
  readonly acceptErrors: number;
  /** Closes the listener; accepted connections go on. */
  stopAccepting(): Promise<void>;
  /** Stops accepting for `HOLD_OFF_MS` (the process is out of file descriptors). */
  holdOff(): void;
  /** Resolves once no accepted connection is open. */
  idle(): Promise<void>;
  /** Releases what is left, once every connection is closed. */
  close(): Promise<void>;
}

/** Why `engine` cannot serve this balancer, or undefined when it can (`libc`: see epoll/libc.ts). */
export function engineUnavailableReason(
  engine: EngineName,
  listen: HostPort,
  backends: readonly BackendSpec[],
  libc?: string,
): string | undefined {
  if (engine === "deno") return undefined;
  const reason = epollUnsupportedReason(libc);
  if (reason) return reason;
  if (!isIpLiteral(listen.hostname)) return `the listen address ${listen.hostname} is a name`;
  const named = backends.find((backend) => !isIpLiteral(backend.address.hostname));
  if (named) return `backend ${named.id}'s address ${named.address.hostname} is a name`;
  return undefined;
}

/** Which engine runs, and why: the log's `using the … engine` line and `/stats` say both. */
export interface EngineChosen {
  engine: EngineName;
  why: string;
}

/** The engine to run: the one asked for (or an error saying why it cannot), or auto's pick. */
export function chooseEngine(
  choice: EngineChoice,
  listen: HostPort,
  backends: readonly BackendSpec[],
  libc?: string,
): EngineChosen {
  if (choice === "auto") {
    const reason = engineUnavailableReason("epoll", listen, backends, libc);
    return reason
      ? { engine: "deno", why: `not epoll: ${reason}` }
      : { engine: "epoll", why: "auto: epoll can run here" };
  }
  const reason = engineUnavailableReason(choice, listen, backends, libc);
  if (reason) throw new RangeError(`Cannot use the ${choice} engine: ${reason}`);
  return { engine: choice, why: "asked for" };
}

export interface DenoDataPlaneOptions {
  listen: HostPort;
  maxConnections: number;
  proxy: ProxyContext;
  /** Size of the large relay buffer a direction borrows while data streams. */
  bufferBytes: number;
}

/** The portable engine: Deno's sockets, a read/write loop per direction. */
export class DenoDataPlane implements DataPlane {
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
