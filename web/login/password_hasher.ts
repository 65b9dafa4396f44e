/**
 * PasswordHasher: argon2id with bounded concurrency, so a flood of sign-ins can neither block the
 * event loop nor queue without end. At most `maxQueued` jobs wait; past that a job is refused at
 * once with BusyError (503 with Retry-After), costing nothing. Jobs marked `priority` (sign-ins
 * from a trusted device) go to the front of the queue and may exceed `maxQueued` by `maxQueued` (at least 4),
 * so a flood of strangers does not keep the owner out.
 *
 * Two runners behind one queue: `createWorkerHasher` (production: a pool of Workers, the main
 * thread never hashes) and `createInlineHasher` (one job at a time on the calling thread; for
 * tests and tools where a Worker is not wanted).
 */
import { argon2Verify } from "hash-wasm";
import { hashPassword } from "@fleetmon/shared/db";
import { BusyError } from "../errors.ts";

export interface PasswordHasher {
  verify(password: string, hash: string, options?: { priority?: boolean }): Promise<boolean>;
  hash(password: string): Promise<string>;
  /** Jobs running and waiting now. */
  load(): { running: number; queued: number };
  /** Whether a job would be refused right now; lets a caller refuse before doing other work. */
  full(priority?: boolean): boolean;
  close(): void;
}

export interface HasherOptions {
  /** Jobs run at once; default 1 inline, or the worker count. */
  concurrency?: number;
  /** Jobs that may wait; default 16. */
  maxQueued?: number;
}

type Job = { op: "verify"; password: string; hash: string } | { op: "hash"; password: string };
type Runner = (job: Job, slot: number) => Promise<boolean | string>;

interface Waiting {
  job: Job;
  resolve(value: boolean | string): void;
  reject(error: unknown): void;
}

function createQueuedHasher(
  run: Runner,
  concurrency: number,
  maxQueued: number,
  onClose: () => void,
): PasswordHasher {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`Cannot create password hasher: concurrency ${concurrency} is not >= 1`);
  }
  if (!Number.isInteger(maxQueued) || maxQueued < 0) {
    throw new RangeError(`Cannot create password hasher: maxQueued ${maxQueued} is not >= 0`);
  }
  const free = Array.from({ length: concurrency }, (_, i) => i);
  const queue: Waiting[] = [];
  let closed = false;

  const pump = () => {
    while (free.length > 0 && queue.length > 0) {
      const slot = free.pop()!;
      const { job, resolve, reject } = queue.shift()!;
      run(job, slot).then(resolve, reject).finally(() => {
        free.push(slot);
        pump();
      });
    }
  };

  const full = (priority: boolean) =>
    free.length === 0 &&
    queue.length >= (priority ? maxQueued + Math.max(maxQueued, 4) : maxQueued);
  const submit = (job: Job, priority: boolean) => {
    if (closed) return Promise.reject(new Error("Cannot hash: the password hasher is closed"));
    if (full(priority)) {
      return Promise.reject(
        new BusyError("Too many sign-ins at once: try again in a second", 1000),
      );
    }
    return new Promise<boolean | string>((resolve, reject) => {
      const waiting = { job, resolve, reject };
      if (priority) queue.unshift(waiting);
      else queue.push(waiting);
      pump();
    });
  };

  return {
    async verify(password, hash, options = {}) {
      return await submit({ op: "verify", password, hash }, options.priority ?? false) as boolean;
    },
    async hash(password) {
      return await submit({ op: "hash", password }, true) as string;
    },
    load: () => ({ running: concurrency - free.length, queued: queue.length }),
    full: (priority = false) => full(priority),
    close() {
      closed = true;
      for (const waiting of queue.splice(0)) {
        waiting.reject(new Error("Cannot hash: the password hasher is closed"));
      }
      onClose();
    },
  };
}

/** Hashes on the calling thread, one job at a time. */
export function createInlineHasher(options: HasherOptions = {}): PasswordHasher {
  const run: Runner = (job) =>
    job.op === "verify"
      ? argon2Verify({ password: job.password, hash: job.hash }).catch(() => false)
      : hashPassword(job.password);
  return createQueuedHasher(run, options.concurrency ?? 1, options.maxQueued ?? 16, () => {});
}

/** Hashes on `workers` Workers (default 2), one job per worker at a time. */
export function createWorkerHasher(
  options: HasherOptions & { workers?: number; workerUrl?: URL } = {},
): PasswordHasher {
  const count = options.workers ?? 2;
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`Cannot create password hasher: workers ${count} is not >= 1`);
  }
  const url = options.workerUrl ?? defaultWorkerUrl();
  const workers = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
  const pending = new Map<
    number,
    { resolve(v: boolean | string): void; reject(e: unknown): void }
  >();
  let nextId = 1;
  for (const worker of workers) {
    worker.onmessage = (
      event: MessageEvent<{ id: number; result?: boolean | string; error?: string }>,
    ) => {
      const { id, result, error } = event.data;
      const waiter = pending.get(id);
      pending.delete(id);
      if (!waiter) return;
      if (error !== undefined) {
        // A malformed stored hash is a failed verification, never a crash.
        waiter.reject(new Error(`Cannot hash password: ${error}`));
      } else waiter.resolve(result!);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      for (const waiter of pending.values()) {
        waiter.reject(new Error(`Password worker failed: ${event.message}`));
      }
      pending.clear();
    };
  }
  const run: Runner = (job, slot) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      workers[slot].postMessage({ id, ...job });
    });
  const guarded: Runner = (job, slot) =>
    job.op === "verify" ? run(job, slot).catch(() => false) : run(job, slot);
  return createQueuedHasher(guarded, count, options.maxQueued ?? 16, () => {
    for (const worker of workers) worker.terminate();
    for (const waiter of pending.values()) {
      waiter.reject(new Error("Cannot hash: the password hasher is closed"));
    }
    pending.clear();
  });
}

/** Beside this module when run from source; beside the bundle when bundled (deploy/bundle.ts). */
function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith(".ts")
    ? new URL("./argon2_worker.ts", import.meta.url)
    : new URL("./fleetmon-web-argon2.js", import.meta.url);
}
