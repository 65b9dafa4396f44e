/**
 * The data plane's engines behind one interface, and the factory that picks one and says why.
 * Two engines do the same work (listen, accept, connect, relay) with the same connect policy
 * (connect_policy.ts):
 *
 * - `epoll` (`epoll/`; Linux, `--allow-ffi`, glibc): one epoll loop on libc calls through Deno's
 *   FFI, about as cheap per connection as HAProxy (see docs/lb.md, Benchmark).
 * - `deno` (`deno/`): Deno's own sockets (`Deno.listen`, `Deno.connect`), portable, and able to
 *   connect to backends given by name.
 *
 * `auto` picks epoll where it can run and every address is an IP literal, deno otherwise.
 */
import type { HostPort } from "@fleetmon/shared/net";
import { isIpLiteral } from "@fleetmon/shared/ip";
import type { ProxyContext } from "./connect_policy.ts";
import type { Engine, EngineChoice, EngineName } from "./engine.ts";
import { DenoDataPlane } from "./deno/data_plane.ts";
import { EpollDataPlane } from "./epoll/data_plane.ts";
import { epollUnsupportedReason } from "./epoll/libc.ts";

/** Why `engine` cannot serve this balancer, or undefined when it can (`libc`: see epoll/libc.ts). */
export function engineUnavailableReason(
  engine: EngineName,
  listen: HostPort,
  backends: readonly { id: string; address: HostPort }[],
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
  backends: readonly { id: string; address: HostPort }[],
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

export interface EngineOptions {
  engine: EngineChoice;
  listen: HostPort;
  maxConnections: number;
  proxy: ProxyContext;
  /** The deno engine's streaming buffer (see deno/buffer_pool.ts). */
  bufferBytes: number;
  /** The epoll engine: how long its loop may wait on its thread before the rest runs. */
  sliceMs: number;
  /** The epoll engine: ACK backends' bytes as soon as they are read (TCP_QUICKACK). */
  quickAck?: boolean;
  /** The epoll engine stopped for good (epoll itself failed). */
  onFatal(error: unknown): void;
  /** The libc the epoll engine loads (see epoll/libc.ts). */
  libc?: string;
}

/** Starts the engine `options.engine` names (or auto's pick), saying which and why. */
export function createEngine(options: EngineOptions): { engine: Engine; chosen: EngineChosen } {
  const { listen, proxy, maxConnections } = options;
  const chosen = chooseEngine(options.engine, listen, proxy.targets.list, options.libc);
  const engine = chosen.engine === "epoll"
    ? new EpollDataPlane({
      listen,
      maxConnections,
      proxy,
      sliceMs: options.sliceMs,
      quickAck: options.quickAck ?? false,
      onFatal: options.onFatal,
      libc: options.libc,
    })
    : new DenoDataPlane({ listen, maxConnections, proxy, bufferBytes: options.bufferBytes });
  return { engine, chosen };
}
