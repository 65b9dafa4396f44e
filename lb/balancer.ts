/**
 * `createBalancer(options)`: one listening port, round robin over the available backends, health
 * checks, failover, an idle sweep, and the admin API. It resolves once both ports are bound (port
 * 0 is fine: `addr` and `adminAddr` give the real ones) and stops with `close()`.
 *
 * The control plane (backends' health and admin state, health checks, the admin API) runs on the
 * calling thread; the data plane runs in a worker of its own (data_plane.ts), so a flood of
 * connections never delays a health check or an admin answer.
 */
import { isLoopback } from "@fleetmon/shared/ip";
import type { Logger, LogLevel } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import { type AdminAction, type AdminServer, createAdminHandler, serveAdmin } from "./admin.ts";
import { Backend, type BackendSpec, type BackendStats, type BalancerStats } from "./backend.ts";
import type { CheckSpec } from "./check_probe.ts";
import { HealthChecker } from "./health_checker.ts";
import { heapAfterGc } from "./heap.ts";
import { HealthState } from "./health_state.ts";
import type { EngineChoice, EngineName } from "./engine.ts";
import { chooseEngine, engineUnavailableReason } from "./engine_factory.ts";
import { type BackendChanges, BackendSet } from "./backend_set.ts";
import { type DataPlane, startDataPlane, type TargetSpec } from "./data_plane.ts";
import type { DataPlaneMemory } from "./data_plane_messages.ts";
import { SharedCounters, SlotAllocator } from "./shared_counters.ts";

export interface BalancerOptions {
  /** Names this balancer in logs and stats: `lb-comm`. */
  name?: string;
  listen: HostPort;
  /** Where the admin API listens; null for none. Defaults to 127.0.0.1, any free port. */
  admin?: HostPort | null;
  /** Required by every admin POST, and by any admin request from a non-loopback address. */
  adminToken?: string;
  backends: BackendSpec[];
  /** Defaults to a TCP connect. */
  check?: CheckSpec;
  checkIntervalMs?: number;
  checkTimeoutMs?: number;
  rise?: number;
  fall?: number;
  maxConnections?: number;
  connectTimeoutMs?: number;
  /** Closes a connection that relays nothing for this long; 0 never does. */
  idleTimeoutMs?: number;
  /** Backends tried after a failed connect, before the client is closed. */
  retries?: number;
  /** How long `close()` waits for open connections before closing them. */
  shutdownTimeoutMs?: number;
  /**
   * The deno engine's large relay buffer, lent to a direction while data streams (an idle
   * direction waits with a 4 KiB one). The epoll engine reads into one 256 KiB buffer for all.
   */
  bufferBytes?: number;
  /**
   * ACK each backend's bytes as soon as they are read (`TCP_QUICKACK`, epoll engine only), for
   * backends that leave Nagle's algorithm on (`Deno.serve` over TLS: lb(web)); off by default,
   * since it costs a system call per read (docs/lb.md, "Relay").
   */
  quickAck?: boolean;
  /** Which data plane relays connections (see engine_factory.ts); auto by default. */
  engine?: EngineChoice;
  /** The C library the epoll engine loads (glibc's by default); a test names a missing one. */
  libc?: string;
  logger: Logger;
  /** The data plane's lines below this level are not even sent to `logger`; debug by default. */
  logLevel?: LogLevel;
  /**
   * The data plane stopped relaying for good (epoll itself failed): the balancer cannot recover,
   * so its owner should stop it (lb/main.ts exits 1 for a supervisor to restart it). Logged
   * either way.
   */
  onDataPlaneFailed?: (error: unknown) => void;
  now?: () => number;
}

export interface Balancer {
  readonly name: string;
  readonly engine: EngineName;
  readonly addr: HostPort;
  readonly adminAddr: HostPort | undefined;
  backends(): BackendStats[];
  stats(): BalancerStats;
  /**
   * Replaces the backends (a reload): unchanged ones go on as they are, removed ones are drained.
   * Resolves once the data plane uses them. Rejects, changing nothing, when the list is empty,
   * has a repeated id, or has an address the running engine cannot connect to.
   */
  setBackends(specs: BackendSpec[]): Promise<BackendChanges>;
  /** No new connections to the backend; its open ones go on. */
  drain(id: string): void;
  /** No new connections to the backend, and its open ones are closed now. */
  disable(id: string): void;
  enable(id: string): void;
  /**
   * The data plane's heap (its worker's), after a full garbage collection: what leak tests and
   * soaks compare.
   */
  dataPlaneMemory(): Promise<DataPlaneMemory>;
  /** Stops accepting, waits up to shutdownTimeoutMs for open connections, then closes the rest. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const BALANCER_DEFAULTS = {
  checkIntervalMs: 1000,
  checkTimeoutMs: 1000,
  rise: 2,
  fall: 3,
  maxConnections: 10_000,
  connectTimeoutMs: 3000,
  idleTimeoutMs: 300_000,
  retries: 2,
  shutdownTimeoutMs: 10_000,
  bufferBytes: 64 * 1024,
};

export async function createBalancer(options: BalancerOptions): Promise<Balancer> {
  // Defaults fill what is missing or undefined (a plain spread would let undefined win).
  const o = { ...options } as BalancerOptions & typeof BALANCER_DEFAULTS;
  for (const [key, value] of Object.entries(BALANCER_DEFAULTS)) {
    (o as unknown as Record<string, unknown>)[key] ??= value;
  }
  const { backends: specs } = options;
  const name = options.name ?? "lb";
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const startedAt = now();
  if (specs.length === 0) throw new RangeError("Cannot create balancer: no backends");
  if (o.admin && !isLoopback(o.admin.hostname) && !o.adminToken) {
    throw new RangeError(
      `Cannot create balancer: an admin API on ${o.admin.hostname} needs an admin token`,
    );
  }
  const chosen = chooseEngine(o.engine ?? "auto", o.listen, specs, o.libc);
  const { engine, why } = chosen;
  logger.info(`using the ${engine} engine`, { why });
  if (o.quickAck && engine !== "epoll") {
    logger.warn("quick ACKs are off: only the epoll engine can set TCP_QUICKACK", { engine });
  }

  const counters = new SharedCounters();
  const slots = new SlotAllocator();
  const makeBackend = (spec: BackendSpec) => {
    const backendLogger = logger.child({ backend: spec.id });
    const slot = slots.take();
    counters.reset(slot);
    const health: HealthState = new HealthState({
      rise: o.rise,
      fall: o.fall,
      now,
      onStateChange: (from, to) => {
        counters.setAvailable(slot, health.available);
        const detail = health.lastCheck?.detail;
        backendLogger[to === "down" ? "warn" : "info"]("backend state changed", {
          from,
          to,
          detail,
        });
      },
    });
    return new Backend(spec, health, backendLogger, { slot, counters });
  };
  const checker = new HealthChecker({
    spec: o.check ?? { kind: "tcp" },
    intervalMs: o.checkIntervalMs,
    timeoutMs: o.checkTimeoutMs,
  });
  // Checks start once the data plane listens: a check must not race the worker's start-up.
  let unchecked: Backend[] | undefined = [];
  const backends = new BackendSet({
    make: makeBackend,
    onAdded: (backend) => unchecked ? unchecked.push(backend) : checker.add(backend),
    onRemoved: (backend) => checker.remove(backend),
  });
  backends.replace(specs);
  const targets = (): TargetSpec[] =>
    backends.list.map((b) => ({
      slot: b.slot,
      id: b.id,
      address: b.address,
      proxyProtocol: b.proxyProtocol,
    }));

  let plane: DataPlane;
  try {
    plane = await startDataPlane({
      chosen,
      listen: o.listen,
      maxConnections: o.maxConnections,
      connectTimeoutMs: o.connectTimeoutMs,
      retries: o.retries,
      idleTimeoutMs: o.idleTimeoutMs,
      bufferBytes: o.bufferBytes,
      quickAck: o.quickAck ?? false,
      targets: targets(),
      counters,
      logger,
      logLevel: o.logLevel ?? "debug",
      libc: o.libc,
      onFailedConnect: (slot) =>
        backends.list.find((b) => b.slot === slot)?.health.recordFailedConnect(),
      onReleased: (slot) => {
        const gone = backends.all().find((b) => b.slot === slot && !backends.list.includes(b));
        if (gone) backends.forget(gone);
        slots.give(slot);
      },
      onFatal: (error) => {
        logger.error("data plane failed; nothing is relayed any more", { error });
        options.onDataPlaneFailed?.(error);
      },
    });
  } catch (error) {
    await checker.stop();
    throw error;
  }
  const addr = { hostname: o.listen.hostname, port: plane.port };
  for (const backend of unchecked) checker.add(backend);
  unchecked = undefined;

  const find = (id: string, verb: string) => {
    const found = backends.get(id);
    if (!found) throw new RangeError(`Cannot ${verb} backend: no backend "${id}"`);
    return found;
  };
  const actions: Record<AdminAction, (id: string) => void> = {
    drain: (id) => find(id, "drain").health.drain(),
    disable: (id) => {
      const found = find(id, "disable");
      found.health.disable();
      plane.closeTarget(found.slot, "backend disabled");
    },
    enable: (id) => find(id, "enable").health.enable(),
  };

  const stats = (): BalancerStats => ({
    name,
    addr: formatHostPort(addr),
    engine,
    engineWhy: why,
    startedAt: new Date(startedAt).toISOString(),
    uptimeSeconds: Math.round((now() - startedAt) / 1000),
    connections: {
      active: plane.active,
      total: counters.total("total"),
      noBackend: counters.total("noBackend"),
      idleTimeouts: counters.total("idleTimeouts"),
      acceptErrors: counters.total("acceptErrors"),
      maxConnections: o.maxConnections,
    },
    backends: backends.all().map((b) => b.stats()),
  });

  let admin: AdminServer | undefined;
  const adminListen = o.admin === undefined ? { hostname: "127.0.0.1", port: 0 } : o.admin;
  if (adminListen) {
    try {
      const handler = createAdminHandler({
        stats,
        act: (action, id) => actions[action](id),
        memory: async () => ({ controlPlane: heapAfterGc(), dataPlane: await plane.memory() }),
        token: o.adminToken,
      });
      admin = serveAdmin(adminListen, handler, (error) => logger.error("admin failed", { error }));
    } catch (error) {
      await plane.shutdown();
      await plane.close();
      await checker.stop();
      throw error;
    }
  }

  let closing: Promise<void> | undefined;
  const close = () => closing ??= shutdown();
  async function shutdown(): Promise<void> {
    await plane.stopAccepting();
    if (plane.active > 0) {
      logger.info("shutting down; waiting for open connections", { active: plane.active });
      const timer = Promise.withResolvers<void>();
      const timeout = setTimeout(timer.resolve, o.shutdownTimeoutMs);
      await Promise.race([plane.idle(), timer.promise]);
      clearTimeout(timeout);
    }
    await plane.shutdown();
    await plane.close();
    await checker.stop();
    await admin?.close();
  }

  return {
    name,
    engine,
    addr,
    adminAddr: admin?.addr,
    backends: () => backends.all().map((b) => b.stats()),
    setBackends: async (next) => {
      const reason = engineUnavailableReason(engine, o.listen, next, o.libc);
      if (reason) {
        throw new RangeError(`Cannot set backends: the ${engine} engine cannot run: ${reason}`);
      }
      const changes = backends.replace(next);
      await plane.setTargets(targets());
      return changes;
    },
    stats,
    dataPlaneMemory: () => plane.memory(),
    drain: actions.drain,
    disable: actions.disable,
    enable: actions.enable,
    close,
    [Symbol.asyncDispose]: close,
  };
}
