/**
 * Reconnect delays: exponential, capped, with jitter so that devices that lost the same node do
 * not all come back at the same moment. Pure: the random source is injected.
 *
 * - `full`: a uniform delay between 0 and min(maxMs, initialMs × 2^attempt).
 * - `decorrelated`: a uniform delay between initialMs and 3 × the previous delay, capped.
 * - `none`: min(maxMs, initialMs × 2^attempt), for tests and tools that want exact delays.
 */
export type Jitter = "full" | "decorrelated" | "none";

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  jitter: Jitter;
}

export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: () => number;
  #attempt = 0;
  #previous: number;

  constructor(options: BackoffOptions, random: () => number = Math.random) {
    if (!(options.initialMs > 0) || !(options.maxMs >= options.initialMs)) {
      throw new RangeError("Cannot create backoff: need 0 < initialMs <= maxMs");
    }
    this.#options = options;
    this.#random = random;
    this.#previous = options.initialMs;
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; each call counts as one more failure. */
  next(): number {
    const { initialMs, maxMs, jitter } = this.#options;
    const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(this.#attempt, 52));
    this.#attempt++;
    switch (jitter) {
      case "none":
        return ceiling;
      case "full":
        return Math.floor(this.#random() * ceiling);
      case "decorrelated": {
        const upper = Math.min(maxMs, this.#previous * 3);
        this.#previous = Math.floor(initialMs + this.#random() * (upper - initialMs));
        return this.#previous;
      }
    }
  }

  /** After a connection that worked: the next delay is short again. */
  reset(): void {
    this.#attempt = 0;
    this.#previous = this.#options.initialMs;
  }
}
