/**
 * A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. comm reads a device's
 * readings only as fast as its bucket allows (`welcome.limits.ratePerSecond`, `rateBurst`); the
 * device library paces its sends with the same bucket. Pure; clock injected.
 */
export class TokenBucket {
  readonly #ratePerMs: number;
  readonly #burst: number;
  #tokens: number;
  #updatedAt: number;

  constructor(ratePerSecond: number, burst: number, now: number) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) {
      throw new RangeError("Cannot create token bucket: rate must be > 0 and burst >= 1");
    }
    this.#ratePerMs = ratePerSecond / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#updatedAt = now;
  }

  /** Takes one token; when there is none, returns how many ms until there will be. */
  take(now: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.#refill(now);
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: this.#msUntilOne() };
  }

  /** Takes as many whole tokens as there are, at most `wanted`; returns how many it took. */
  takeUpTo(wanted: number, now: number): number {
    this.#refill(now);
    const taken = Math.max(0, Math.min(wanted, Math.floor(this.#tokens)));
    this.#tokens -= taken;
    return taken;
  }

  /** Ms until one whole token is there (0 when one is there now). */
  msUntilToken(now: number): number {
    this.#refill(now);
    return this.#tokens >= 1 ? 0 : this.#msUntilOne();
  }

  #refill(now: number): void {
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
  }

  #msUntilOne(): number {
    return Math.ceil((1 - this.#tokens) / this.#ratePerMs);
  }
}
