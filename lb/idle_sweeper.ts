/**
 * Closes connections that relay nothing for `idleTimeoutMs`. One timer for all connections: each
 * sweep compares a connection's progress counter with what the last sweep saw, so the relay's
 * hot loop never reads a clock or touches a timer.
 */
import type { OpenConnection } from "./backend.ts";

interface Seen {
  progress: number;
  since: number;
}

export class IdleSweeper {
  /** Connections closed for idleness so far. */
  closed = 0;
  readonly #items: () => Iterable<OpenConnection>;
  readonly #idleTimeoutMs: number;
  readonly #now: () => number;
  #seen = new Map<OpenConnection, Seen>();
  readonly #timer: ReturnType<typeof setInterval>;

  /** Sweeps the open connections `items()` every `idleTimeoutMs / 4` (10 ms to 1 s). */
  constructor(items: () => Iterable<OpenConnection>, idleTimeoutMs: number, now = Date.now) {
    this.#items = items;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#now = now;
    const every = Math.min(1000, Math.max(10, Math.floor(idleTimeoutMs / 4)));
    this.#timer = setInterval(() => this.sweep(), every);
  }

  sweep(): void {
    const now = this.#now();
    // Only connections open now are carried over, so closed ones are forgotten.
    const seenNow = new Map<OpenConnection, Seen>();
    for (const item of this.#items()) {
      const seen = this.#seen.get(item);
      if (!seen || seen.progress !== item.progress) {
        seenNow.set(item, { progress: item.progress, since: now });
      } else if (now - seen.since >= this.#idleTimeoutMs) {
        this.closed++;
        item.close(`idle for ${this.#idleTimeoutMs} ms`);
      } else {
        seenNow.set(item, seen);
      }
    }
    this.#seen = seenNow;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#seen.clear();
  }
}
