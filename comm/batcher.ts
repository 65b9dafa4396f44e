/**
 * Collects readings into batches and writes them, flushing when a batch is full or its oldest
 * reading has waited `flushIntervalMs`. Up to `concurrency` batches are written at once, so the
 * next batch is on its way while the database stores the last: the database never waits on this
 * process between batches, however busy its event loop is. A failed write is retried with
 * backoff until it succeeds, so nothing accepted is dropped; meanwhile `hasRoom` turns false once
 * `highWater` readings wait, which makes connections stop reading from their sockets.
 */

/** Whoever added a doc; told once the doc is durably stored. */
export interface BatchOwner<T> {
  onStored(doc: T): void;
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
  /** Batches written at once; 2 unless given. */
  concurrency?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  onWriteError?(error: unknown, attempt: number): void;
  onBatchWritten?(size: number, ms: number): void;
}

export class Batcher<T> {
  readonly #options: BatcherOptions<T>;
  readonly #concurrency: number;
  /** Readings not yet in a write. */
  #queue: BatchItem<T>[] = [];
  /** Readings in writes that have not succeeded yet. */
  #writing = 0;
  readonly #writes = new Set<Promise<void>>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #failingWrites = 0;
  #closed = false;
  #roomWaiters: (() => void)[] = [];

  constructor(options: BatcherOptions<T>) {
    const concurrency = options.concurrency ?? 2;
    if (options.maxBatch < 1 || options.highWater < options.maxBatch || concurrency < 1) {
      throw new RangeError(
        "Cannot create batcher: need 1 <= maxBatch <= highWater and concurrency >= 1",
      );
    }
    this.#options = options;
    this.#concurrency = concurrency;
  }

  /** Readings accepted but not yet stored. */
  get pending(): number {
    return this.#queue.length + this.#writing;
  }

  get hasRoom(): boolean {
    return this.pending < this.#options.highWater;
  }

  /** True while a write failed and is being retried. */
  get failing(): boolean {
    return this.#failingWrites > 0;
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
    while (this.#queue.length > 0 || this.#writes.size > 0) {
      this.#kick();
      await Promise.race(this.#writes);
    }
  }

  /** Stops the timer; with `flush`, stores what is queued first. */
  async close(options: { flush: boolean }): Promise<void> {
    if (options.flush) await this.flush();
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await Promise.all(this.#writes);
  }

  /** Starts writes while there is room for one: every full batch, then what is left. */
  #kick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (!this.#closed && this.#queue.length > 0 && this.#writes.size < this.#concurrency) {
      const write = this.#write(this.#queue.splice(0, this.#options.maxBatch)).finally(() => {
        this.#writes.delete(write);
        if (this.#queue.length >= this.#options.maxBatch) this.#kick();
        else if (this.#queue.length > 0 && !this.#closed) {
          this.#timer ??= setTimeout(() => this.#kick(), this.#options.flushIntervalMs);
        }
      });
      this.#writes.add(write);
      if (this.#queue.length < this.#options.maxBatch) break; // the rest waits for its age
    }
    if (this.#queue.length > 0 && !this.#closed) {
      this.#timer ??= setTimeout(() => this.#kick(), this.#options.flushIntervalMs);
    }
  }

  async #write(batch: BatchItem<T>[]): Promise<void> {
    this.#writing += batch.length;
    const docs = batch.map((item) => item.doc);
    let delay = this.#options.retryInitialMs ?? 100;
    let failed = false;
    for (let attempt = 1;; attempt++) {
      const started = performance.now();
      try {
        await this.#options.write(docs);
        this.#options.onBatchWritten?.(docs.length, performance.now() - started);
        break;
      } catch (error) {
        if (!failed) this.#failingWrites++;
        failed = true;
        this.#options.onWriteError?.(error, attempt);
        if (this.#closed) return; // given up: the batch stays unacknowledged (and pending)
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, this.#options.retryMaxMs ?? 2_000);
      }
    }
    if (failed) this.#failingWrites--;
    this.#writing -= batch.length;
    for (const item of batch) item.owner.onStored(item.doc);
    if (this.hasRoom) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
  }
}
