/**
 * The data plane's worker: the engine (listening, accepting, connecting, relaying), connect
 * timeouts and the idle sweep run here, so the control plane on the main thread (health checks,
 * the admin API, signals) never waits for it, however busy it is. It is told the backends and
 * asked to stop by messages (data_plane_messages.ts); counts go through SharedCounters.
 */
import type { LogFields, Logger, LogLevel } from "@fleetmon/shared/log";
import type { ProxyContext } from "./connect_policy.ts";
import {
  type DataPlaneMemory,
  errorData,
  type FromWorker,
  type RequestOp,
  type ToWorker,
  type WorkerInit,
} from "./data_plane_messages.ts";
import { Deadlines } from "./deadlines.ts";
import { heapAfterGc } from "./heap.ts";
import type { Engine } from "./engine.ts";
import { createEngine } from "./engine_factory.ts";
import { IdleSweeper } from "./idle_sweeper.ts";
import { RoundRobin } from "./round_robin.ts";
import { SharedCounters } from "./shared_counters.ts";
import { WorkerTargets } from "./worker_targets.ts";

/**
 * How long the epoll loop may wait on this worker's thread before the worker's own event loop
 * (messages, connect timeouts, the idle sweep) runs: the main thread is not held up at all.
 */
const EPOLL_SLICE_MS = 50;
/** How often the engine's own counts (active, accept errors) are copied into SharedCounters. */
const PUBLISH_MS = 20;

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
  close(): void;
};
const post = (message: FromWorker) => scope.postMessage(message);

let running: Running | undefined;

scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === "init") {
    running = start(message);
    return;
  }
  if (!running) return;
  switch (message.type) {
    case "targets":
      return running.targets.set(message.targets);
    case "closeTarget":
      for (const connection of [...running.targets.bySlot(message.slot)?.connections ?? []]) {
        connection.close(message.reason);
      }
      return;
    case "request":
      void running.handle(message.op).then(
        (value) => post({ type: "reply", id: message.id, value: value ?? undefined }),
        (error) => post({ type: "fatal", error: errorData(error) }),
      ).then(() => {
        if (message.op === "close") scope.close();
      });
  }
};

interface Running {
  targets: WorkerTargets;
  handle(op: RequestOp): Promise<DataPlaneMemory | void>;
}

function start(init: WorkerInit): Running | undefined {
  const counters = new SharedCounters(init.counters);
  const logger = messageLogger(init.logLevel, {});
  const targets = new WorkerTargets({
    counters,
    logger,
    onFailedConnect: (slot) => post({ type: "failedConnect", slot }),
    onReleased: (slot) => post({ type: "released", slot }),
  });
  targets.set(init.targets);
  const proxy: ProxyContext = {
    targets,
    strategy: new RoundRobin(),
    connectTimeoutMs: init.connectTimeoutMs,
    deadlines: new Deadlines(Math.min(100, Math.max(5, Math.floor(init.connectTimeoutMs / 20)))),
    retries: init.retries,
    counters: {
      get total() {
        return counters.total("total");
      },
      set total(value) {
        counters.setTotal("total", value);
      },
      get noBackend() {
        return counters.total("noBackend");
      },
      set noBackend(value) {
        counters.setTotal("noBackend", value);
      },
    },
    logger,
    outOfDescriptors: () => engine.holdOff(),
    closed: false,
  };
  let engine: Engine;
  try {
    engine = createEngine({
      engine: init.engine,
      listen: init.listen,
      maxConnections: init.maxConnections,
      proxy,
      bufferBytes: init.bufferBytes,
      sliceMs: EPOLL_SLICE_MS,
      quickAck: init.quickAck,
      onFatal: (error) => post({ type: "fatal", error: errorData(error) }),
      libc: init.libc,
    }).engine;
  } catch (error) {
    post({ type: "startFailed", error: errorData(error) });
    scope.close();
    return undefined;
  }
  const sweeper = init.idleTimeoutMs > 0
    ? new IdleSweeper(() => targets.connections(), init.idleTimeoutMs)
    : undefined;
  const publish = () => {
    counters.setTotal("active", engine.active);
    counters.setTotal("acceptErrors", engine.acceptErrors);
    counters.setTotal("idleTimeouts", sweeper?.closed ?? 0);
  };
  const publisher = setInterval(publish, PUBLISH_MS);
  post({ type: "ready", port: engine.port });

  const handlers: Record<RequestOp, () => Promise<DataPlaneMemory | void>> = {
    sync: () => Promise.resolve(),
    memory: () => Promise.resolve(heapAfterGc()),
    stopAccepting: () => engine.stopAccepting(),
    idle: () => engine.idle(),
    shutdown: async () => {
      proxy.closed = true;
      for (const connection of [...targets.connections()]) connection.close("shutting down");
      await engine.idle();
    },
    close: async () => {
      await engine.close();
      proxy.deadlines.stop();
      sweeper?.stop();
      clearInterval(publisher);
      publish();
    },
  };
  return {
    targets,
    handle: async (op) => {
      const value = await handlers[op]();
      publish();
      return value;
    },
  };
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger whose lines go to the control plane's logger, below `level` not even posted. */
function messageLogger(level: LogLevel, base: LogFields): Logger {
  const emit = (at: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return;
    post({ type: "log", level: at, msg, fields: plain({ ...base, ...fields }) });
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => messageLogger(level, { ...base, ...fields }),
  };
}

/** Fields as they can cross: an error as its name, message and code, as the logger writes it. */
function plain(fields: LogFields): LogFields {
  return JSON.parse(JSON.stringify(fields, (_key, value) => {
    if (value instanceof Error) return errorData(value);
    if (typeof value === "bigint") return value.toString();
    return value;
  }));
}
