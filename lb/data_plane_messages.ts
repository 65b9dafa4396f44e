/**
 * What crosses between the control plane (main thread) and the data plane (its worker). Counts
 * and `available` flags do not cross as messages: they live in SharedCounters.
 */
import type { LogLevel } from "@fleetmon/shared/log";
import type { HostPort } from "@fleetmon/shared/net";
import type { ProxyProtocolVersion } from "@fleetmon/shared/proxy_protocol";
import type { EngineName } from "./engine.ts";
import type { HeapFigures } from "./heap.ts";

/** A backend as the data plane is told of it; `slot` is its place in SharedCounters. */
export interface TargetSpec {
  slot: number;
  id: string;
  address: HostPort;
  proxyProtocol?: ProxyProtocolVersion;
}

export interface WorkerInit {
  type: "init";
  engine: EngineName;
  listen: HostPort;
  maxConnections: number;
  connectTimeoutMs: number;
  retries: number;
  idleTimeoutMs: number;
  bufferBytes: number;
  quickAck: boolean;
  logLevel: LogLevel;
  targets: TargetSpec[];
  counters: SharedArrayBuffer;
  libc?: string;
}

/**
 * Asked of the data plane, answered with a `reply` of the same id once done. Messages are handled
 * in order, so the reply to `sync` says that every message before it has been.
 */
export type RequestOp = "sync" | "stopAccepting" | "idle" | "shutdown" | "close" | "memory";

/** The data plane's own heap (its worker's isolate), after a full garbage collection. */
export type DataPlaneMemory = HeapFigures;

export type ToWorker =
  | WorkerInit
  | { type: "targets"; targets: TargetSpec[] }
  | { type: "closeTarget"; slot: number; reason: string }
  | { type: "request"; id: number; op: RequestOp };

/** An error as it crosses: its class name and message (`code` too, for errno errors). */
export interface ErrorData {
  name: string;
  message: string;
  code?: string;
}

export type FromWorker =
  | { type: "ready"; port: number }
  | { type: "startFailed"; error: ErrorData }
  | { type: "log"; level: LogLevel; msg: string; fields?: Record<string, unknown> }
  | { type: "failedConnect"; slot: number }
  | { type: "released"; slot: number }
  | { type: "reply"; id: number; value?: DataPlaneMemory }
  | { type: "fatal"; error: ErrorData };

export function errorData(error: unknown): ErrorData {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const data: ErrorData = { name: error.name, message: error.message };
  if ("code" in error && typeof error.code === "string") data.code = error.code;
  return data;
}

/** The error `data` describes, of the same class where it is a built-in or one of Deno's. */
export function errorFrom(data: ErrorData): Error {
  const denoErrors = Deno.errors as unknown as Record<string, ErrorConstructor>;
  const builtIn = (globalThis as unknown as Record<string, unknown>)[data.name];
  const ErrorClass = denoErrors[data.name] ??
    (typeof builtIn === "function" && builtIn.prototype instanceof Error || builtIn === Error
      ? builtIn as ErrorConstructor
      : Error);
  const error = new ErrorClass(data.message);
  return data.code ? Object.assign(error, { code: data.code }) : error;
}
