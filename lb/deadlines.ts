/**
 * Deadlines for many short waits (connects to backends) kept by one interval timer: in Deno a
 * timer per connect costs more than the rest of the connect's own JavaScript. A deadline fires
 * up to one tick late; the timer stops once a tick finds nothing pending.
 */
export interface Deadline {
  readonly at: number;
  readonly fire: () => void;
}

export class Deadlines {
  readonly #tickMs: number;
  readonly #pending = new Set<Deadline>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs: number) {
    this.#tickMs = tickMs;
  }

  /** Calls `fire` once `ms` have passed, unless the deadline is released first. */
  start(ms: number, fire: () => void): Deadline {
    const deadline = { at: performance.now() + ms, fire };
    this.#pending.add(deadline);
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs);
    return deadline;
  }

  release(deadline: Deadline): void {
    this.#pending.delete(deadline);
  }

  /** Whether the interval timer runs (it stops once a tick finds nothing pending). */
  get ticking(): boolean {
    return this.#timer !== undefined;
  }

  /** Fires nothing more; pending deadlines are forgotten. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #tick(): void {
    if (this.#pending.size === 0) return this.stop();
    const now = performance.now();
    for (const deadline of this.#pending) {
      if (now < deadline.at) continue;
      this.#pending.delete(deadline);
      deadline.fire();
    }
  }
}
