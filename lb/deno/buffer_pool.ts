/**
 * Relay buffers in two sizes. Deno's `read` needs its buffer up front, so a direction waits for
 * data with a small one and an idle connection holds little memory (lb(comm) keeps many quiet
 * devices connected). When a read fills the small buffer, the direction borrows a large one for
 * as long as reads keep coming back larger than the small one, then hands it back.
 */
export interface BufferPoolOptions {
  smallBytes?: number;
  largeBytes?: number;
  /** How many free buffers of each size to keep for reuse. */
  keepSmall?: number;
  keepLarge?: number;
}

export class BufferPool {
  readonly smallBytes: number;
  readonly largeBytes: number;
  readonly #small: Uint8Array[] = [];
  readonly #large: Uint8Array[] = [];
  readonly #keepSmall: number;
  readonly #keepLarge: number;

  constructor(options: BufferPoolOptions = {}) {
    this.smallBytes = options.smallBytes ?? 4 * 1024;
    this.largeBytes = options.largeBytes ?? 64 * 1024;
    this.#keepSmall = options.keepSmall ?? 1024;
    this.#keepLarge = options.keepLarge ?? 64;
    if (this.largeBytes < this.smallBytes) {
      throw new RangeError("Cannot pool buffers: the large size is below the small one");
    }
  }

  takeSmall(): Uint8Array {
    return this.#small.pop() ?? new Uint8Array(this.smallBytes);
  }

  takeLarge(): Uint8Array {
    return this.#large.pop() ?? new Uint8Array(this.largeBytes);
  }

  give(buffer: Uint8Array): void {
    const [free, keep] = buffer.length === this.largeBytes
      ? [this.#large, this.#keepLarge]
      : [this.#small, this.#keepSmall];
    if (free.length < keep) free.push(buffer);
  }
}
