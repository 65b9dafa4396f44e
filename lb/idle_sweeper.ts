/**
 * Closes connections that relay nothing for `idleTimeoutMs`. One timer for all connections: each
 * sweep compares a connection's progress counter with what the last sweep saw, so the relay's
 * hot loop never reads a clock or touches a timer.
 */
import type { Closable } from "./backend.ts";

export interface Sweepable extends Closable {
  /** Grows whenever the connection relays bytes. */
  readonly progress: number;
}

export class IdleSweeper {
  /** Connections closed for idleness so far. */
  closed = 0;
  readonly #items: Set<Sweepable>;
  readonly #idleTimeoutMs: number;
  readonly #now: () => number;
  readonly #seen = new Map<Sweepable, { progress: number; since: number }>();
  readonly #timer: ReturnType<typeof setInterval>;

  /** Sweeps `items` every `idleTimeoutMs / 4` (at least 10 ms, at most 1 s). */
  constructor(items: Set<Sweepable>, idleTimeoutMs: number, now: () => number = Date.now) {
    this.#items = items;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#now = now;
    const every = Math.min(1000, Math.max(10, Math.floor(idleTimeoutMs / 4)));
    this.#timer = setInterval(() => this.sweep(), every);
  }

  sweep(): void {
    const now = this.#now();
    for (const item of this.#seen.keys()) if (!this.#items.has(item)) this.#seen.delete(item);
    for (const item of this.#items) {
      const seen = this.#seen.get(item);
      if (!seen) {
        this.#seen.set(item, { progress: item.progress, since: now });
      } else if (seen.progress !== item.progress) {
        seen.progress = item.progress;
        seen.since = now;
      } else if (now - seen.since >= this.#idleTimeoutMs) {
        this.#seen.delete(item);
        this.closed++;
        item.close(`idle for ${this.#idleTimeoutMs} ms`);
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#seen.clear();
  }
}
