/**
 * Collects readings into batches and writes one batch at a time, flushing when a batch is full
 * or its oldest reading has waited `flushIntervalMs`. A failed write is retried with backoff
 * until it succeeds, so nothing accepted is dropped; meanwhile `hasRoom` turns false once
 * `highWater` readings wait, which makes connections stop reading from their sockets.
 *
 * A write that fails for a reason that retrying cannot cure (`isPermanent`, e.g. the database
 * refuses a field name) is split in halves until the docs it refuses are alone: those are handed
 * back to their owners as refused, everything else is stored. A permanent error never wedges the
 * queue for the healthy readings behind it.
 */

/** Whoever added a doc; told once the doc is durably stored, or refused for good. */
export interface BatchOwner<T> {
  onStored(doc: T): void;
  onRefused(doc: T, error: unknown): void;
}

export interface BatchItem<T> {
  doc: T;
  owner: BatchOwner<T>;
}

export interface BatcherOptions<T> {
  write(docs: T[]): Promise<void>;
  maxBatch: number;
  flushIntervalMs: number;
  highWater: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** True for an error that no retry can cure: the batch is split to find the docs at fault. */
  isPermanent?(error: unknown): boolean;
  onWriteError?(error: unknown, attempt: number): void;
  onBatchWritten?(size: number, ms: number): void;
}

export class Batcher<T> {
  readonly #options: BatcherOptions<T>;
  #queue: BatchItem<T>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> | undefined;
  #failing = false;
  #closed = false;
  #roomWaiters: (() => void)[] = [];

  constructor(options: BatcherOptions<T>) {
    if (options.maxBatch < 1 || options.highWater < options.maxBatch) {
      throw new RangeError("Cannot create batcher: need 1 <= maxBatch <= highWater");
    }
    this.#options = options;
  }

  /** Readings accepted but not yet stored. */
  get pending(): number {
    return this.#queue.length;
  }

  get hasRoom(): boolean {
    return this.#queue.length < this.#options.highWater;
  }

  /** True while the last write failed and is being retried. */
  get failing(): boolean {
    return this.#failing;
  }

  add(item: BatchItem<T>): void {
    if (this.#closed) throw new Error("Cannot add reading: batcher is closed");
    this.#queue.push(item);
    if (this.#queue.length >= this.#options.maxBatch) this.#kick();
    else this.#timer ??= setTimeout(() => this.#kick(), this.#options.flushIntervalMs);
  }

  /** Resolves when fewer than `highWater` readings wait. */
  whenRoom(): Promise<void> {
    if (this.hasRoom) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Writes everything queued; resolves when it is stored. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#flushing) {
      this.#kick();
      await this.#flushing;
    }
  }

  /** Stops the timer; with `flush`, stores what is queued first. */
  async close(options: { flush: boolean }): Promise<void> {
    if (options.flush) await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#flushing;
  }

  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#flushing || this.#queue.length === 0 || this.#closed) return;
    this.#flushing = this.#writeLoop().finally(() => {
      this.#flushing = undefined;
      if (this.#queue.length >= this.#options.maxBatch) this.#kick();
      else if (this.#queue.length > 0 && !this.#closed) {
        this.#timer ??= setTimeout(() => this.#kick(), this.#options.flushIntervalMs);
      }
    });
  }

  async #writeLoop(): Promise<void> {
    const batch = this.#queue.slice(0, this.#options.maxBatch);
    let refused = new Map<number, unknown>();
    let delay = this.#options.retryInitialMs ?? 100;
    for (let attempt = 1;; attempt++) {
      const started = performance.now();
      try {
        refused = await this.#writeSplitting(batch.map((item) => item.doc), 0);
        const written = batch.length - refused.size;
        this.#options.onBatchWritten?.(written, performance.now() - started);
        break;
      } catch (error) {
        this.#failing = true;
        this.#options.onWriteError?.(error, attempt);
        if (this.#closed) return; // given up: the batch stays unacknowledged
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.#options.retryMaxMs ?? 2_000);
      }
    }
    this.#failing = false;
    this.#queue.splice(0, batch.length);
    batch.forEach((item, i) => {
      if (refused.has(i)) item.owner.onRefused(item.doc, refused.get(i));
      else item.owner.onStored(item.doc);
    });
    if (this.hasRoom) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  /**
   * Writes `docs`; on a permanent error, each half on its own, down to single docs. Returns the
   * refused docs' indexes (offset by `base`) with their errors; throws on a transient error. A
   * half written before a later half failed is written again on retry: the store treats a doc
   * already stored as stored.
   */
  async #writeSplitting(docs: T[], base: number): Promise<Map<number, unknown>> {
    try {
      await this.#options.write(docs);
      return new Map();
    } catch (error) {
      if (!this.#options.isPermanent?.(error)) throw error;
      if (docs.length === 1) return new Map([[base, error]]);
      const half = Math.ceil(docs.length / 2);
      const first = await this.#writeSplitting(docs.slice(0, half), base);
      const second = await this.#writeSplitting(docs.slice(half), base + half);
      return new Map([...first, ...second]);
    }
  }
}
