/** A token bucket: `ratePerSecond` tokens a second, holding at most `burst`. Pure; clock injected. */
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
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#updatedAt) * this.#ratePerMs);
    this.#updatedAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil((1 - this.#tokens) / this.#ratePerMs) };
  }
}
