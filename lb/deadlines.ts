/**
 * Deadlines for many short waits (connects to backends) kept by one interval timer: in Deno a
 * timer per connect costs more than the rest of the connect's own JavaScript. A deadline fires
 * up to one tick late; the timer stops once a tick finds nothing pending.
 */
export class Deadlines {
  readonly #tickMs: number;
  readonly #pending = new Map<AbortController, { at: number; reason: () => Error }>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(tickMs: number) {
    this.#tickMs = tickMs;
  }

  /** A signal that aborts with `reason()` once `ms` have passed, unless released first. */
  start(ms: number, reason: () => Error): AbortController {
    const controller = new AbortController();
    this.#pending.set(controller, { at: performance.now() + ms, reason });
    this.#timer ??= setInterval(() => this.#tick(), this.#tickMs);
    return controller;
  }

  release(controller: AbortController): void {
    this.#pending.delete(controller);
  }

  /** Aborts nothing more; pending signals stay as they are. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #tick(): void {
    if (this.#pending.size === 0) return this.stop();
    const now = performance.now();
    for (const [controller, { at, reason }] of this.#pending) {
      if (now < at) continue;
      this.#pending.delete(controller);
      controller.abort(reason());
    }
  }
}
