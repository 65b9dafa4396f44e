/**
 * `startDataPlane(options)`: the data plane in a worker of its own (data_plane_worker.ts), so
 * that nothing it does (a flood of new connections, the epoll loop's turns) delays the control
 * plane on this thread: health checks, the admin API, signals. Backends and requests cross by
 * messages; counts and the backends' `available` flags by SharedCounters, so `/stats` never asks.
 * Tests run it as production does.
 */
import type { Logger, LogLevel } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import {
  type DataPlaneMemory,
  errorFrom,
  type FromWorker,
  type RequestOp,
  type TargetSpec,
  type ToWorker,
} from "./data_plane_messages.ts";
import type { EngineChosen } from "./engine_factory.ts";
import type { SharedCounters } from "./shared_counters.ts";

export type { TargetSpec } from "./data_plane_messages.ts";

export interface DataPlaneOptions {
  /** The engine to run, already chosen (chooseEngine), and why. */
  chosen: EngineChosen;
  listen: HostPort;
  maxConnections: number;
  connectTimeoutMs: number;
  retries: number;
  idleTimeoutMs: number;
  bufferBytes: number;
  /** The epoll engine ACKs backends' bytes at once (TCP_QUICKACK). */
  quickAck: boolean;
  targets: TargetSpec[];
  counters: SharedCounters;
  logger: Logger;
  /** Lines below this level are not even sent over from the worker. */
  logLevel: LogLevel;
  /** A client's connect to the backend in `slot` failed. */
  onFailedConnect(slot: number): void;
  /** The data plane has let go of the backend in `slot`: the slot is free. */
  onReleased(slot: number): void;
  /** The data plane stopped for good (epoll failed, or the worker died). */
  onFatal(error: Error): void;
  libc?: string;
}

export interface DataPlane {
  readonly chosen: EngineChosen;
  readonly port: number;
  /** Client connections open now (as of a few milliseconds ago). */
  readonly active: number;
  /** Resolves once the data plane uses `targets`. */
  setTargets(targets: TargetSpec[]): Promise<void>;
  /** Closes the open connections through the backend in `slot` now. */
  closeTarget(slot: number, reason: string): void;
  /** Closes the listener; accepted connections go on. */
  stopAccepting(): Promise<void>;
  /** Resolves once no accepted connection is open. */
  idle(): Promise<void>;
  /** Drops connects under way, closes every open connection, and waits until they are gone. */
  shutdown(): Promise<void>;
  /** Ends the worker; call after shutdown. */
  close(): Promise<void>;
  /** The data plane's own heap after a full garbage collection (leak tests, soaks). */
  memory(): Promise<DataPlaneMemory>;
}

/** Resolves once the worker listens; rejects with the reason when it cannot. */
export function startDataPlane(options: DataPlaneOptions): Promise<DataPlane> {
  const worker = new Worker(workerUrl(), { type: "module" });
  const { logger, counters } = options;
  const started = Promise.withResolvers<DataPlane>();
  const replies = new Map<number, (value?: DataPlaneMemory) => void>();
  let nextId = 0;
  let closed: Promise<void> | undefined;
  const send = (message: ToWorker) => worker.postMessage(message);
  const ask = (op: RequestOp) => {
    if (closed) return Promise.resolve(undefined);
    const { promise, resolve } = Promise.withResolvers<DataPlaneMemory | undefined>();
    const id = nextId++;
    replies.set(id, resolve);
    send({ type: "request", id, op });
    return promise;
  };
  const end = () => {
    worker.terminate();
    for (const resolve of replies.values()) resolve();
    replies.clear();
  };
  let port = 0;
  const plane: DataPlane = {
    chosen: options.chosen,
    get port() {
      return port;
    },
    get active() {
      return counters.total("active");
    },
    setTargets: (targets) => {
      send({ type: "targets", targets });
      return ask("sync").then(() => {});
    },
    closeTarget: (slot, reason) => send({ type: "closeTarget", slot, reason }),
    stopAccepting: () => ask("stopAccepting").then(() => {}),
    idle: () => ask("idle").then(() => {}),
    shutdown: () => ask("shutdown").then(() => {}),
    close: () => closed ??= ask("close").then(end),
    memory: async () => {
      const value = await ask("memory");
      if (!value) throw new Error("Cannot measure the data plane: it has stopped");
      return value;
    },
  };
  worker.onmessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    switch (message.type) {
      case "log":
        return logger[message.level](message.msg, message.fields);
      case "failedConnect":
        return options.onFailedConnect(message.slot);
      case "released":
        return options.onReleased(message.slot);
      case "reply":
        replies.get(message.id)?.(message.value);
        replies.delete(message.id);
        return;
      case "ready":
        port = message.port;
        return started.resolve(plane);
      case "startFailed":
        end();
        return started.reject(errorFrom(message.error));
      case "fatal":
        return options.onFatal(errorFrom(message.error));
    }
  };
  worker.onerror = (event) => {
    event.preventDefault();
    const error = new Error(`Data plane worker failed: ${event.message}`);
    end();
    started.reject(error);
    options.onFatal(error);
  };
  send({
    type: "init",
    engine: options.chosen.engine,
    listen: options.listen,
    maxConnections: options.maxConnections,
    connectTimeoutMs: options.connectTimeoutMs,
    retries: options.retries,
    idleTimeoutMs: options.idleTimeoutMs,
    bufferBytes: options.bufferBytes,
    quickAck: options.quickAck,
    logLevel: options.logLevel,
    targets: options.targets,
    counters: counters.buffer,
    libc: options.libc,
  });
  return started.promise;
}

/** Beside this module when run from source; beside the bundle when bundled (deploy/bundle.ts). */
function workerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("./data_plane_worker.ts", import.meta.url)
    : new URL("./fleetmon-lb-data-plane.js", import.meta.url);
}
