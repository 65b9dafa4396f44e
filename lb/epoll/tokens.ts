/**
 * Registration tokens for the poller: each registered descriptor gets a number that no other
 * live registration holds. Numbers go up to `maxToken`, then start again at 1, skipping those
 * still in use (the listener's token 1 above all: it lives as long as the balancer). Pure: it is
 * told which tokens are live.
 */
export const MAX_TOKEN = 0xffffffff;

export class TokenAllocator {
  readonly #maxToken: number;
  #next = 1;

  /** `maxToken` is where numbering wraps; a test makes it small. */
  constructor(maxToken = MAX_TOKEN) {
    if (!Number.isInteger(maxToken) || maxToken < 1 || maxToken > MAX_TOKEN) {
      throw new RangeError(`Cannot number registrations up to ${maxToken}: not in 1..${MAX_TOKEN}`);
    }
    this.#maxToken = maxToken;
  }

  /** The next token not in `live`; throws RangeError when every token is live. */
  next(live: { has(token: number): boolean; readonly size: number }): number {
    if (live.size >= this.#maxToken) {
      throw new RangeError(`Cannot register a descriptor: all ${this.#maxToken} tokens are in use`);
    }
    // At most size + 1 steps: fewer than maxToken tokens are live, so a free one comes first.
    while (true) {
      const token = this.#next;
      this.#next = token === this.#maxToken ? 1 : token + 1;
      if (!live.has(token)) return token;
    }
  }
}
