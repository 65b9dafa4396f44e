/**
 * The readings a device sent, or is about to send, and has not seen acknowledged: bounded, in
 * seq order. Each is either pending (to be sent on the current connection) or in flight (sent,
 * waiting for an ack or a nack). Pure: no I/O, no clock.
 */

export interface BufferedReading {
  seq: number;
  ts: number;
  metrics: Record<string, number>;
}

interface Entry extends BufferedReading {
  inFlight: boolean;
}

export class UnackedBuffer {
  readonly limit: number;
  /** Insertion order is seq order: readings are added with increasing seqs. */
  readonly #entries = new Map<number, Entry>();
  /** Seqs to send, ascending from `#head`; may hold seqs since removed or already sent. */
  #queue: number[] = [];
  #head = 0;
  #inFlight = 0;
  #lastSeq = 0;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`Cannot create buffer: limit must be a positive integer, got ${limit}`);
    }
    this.limit = limit;
  }

  get size(): number {
    return this.#entries.size;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get pending(): number {
    return this.#entries.size - this.#inFlight;
  }

  /**
   * Adds a reading as pending. Returns what had to make room for it: the oldest readings, in
   * flight or not, once the buffer holds `limit`.
   */
  add(reading: BufferedReading): BufferedReading[] {
    if (reading.seq <= this.#lastSeq) {
      throw new RangeError(
        `Cannot buffer reading: seq ${reading.seq} is not above the last one, ${this.#lastSeq}`,
      );
    }
    const dropped: BufferedReading[] = [];
    while (this.#entries.size >= this.limit) {
      const oldest = this.#entries.keys().next().value as number;
      dropped.push(this.remove(oldest)!);
    }
    this.#lastSeq = reading.seq;
    this.#entries.set(reading.seq, { ...reading, inFlight: false });
    this.#queue.push(reading.seq);
    // While nothing is taken (no connection), stale seqs would pile up in the queue.
    if (this.#queue.length - this.#head > 2 * this.limit + 16) this.#rebuildQueue();
    return dropped;
  }

  /** The pending reading with the lowest seq, now marked in flight; undefined when none. */
  takeNext(): BufferedReading | undefined {
    while (this.#head < this.#queue.length) {
      const entry = this.#entries.get(this.#queue[this.#head++]);
      if (entry && !entry.inFlight) {
        entry.inFlight = true;
        this.#inFlight++;
        this.#compact();
        return entry;
      }
    }
    this.#compact();
    return undefined;
  }

  /** An ack for `from`…`to`: removes every buffered reading in that range and returns them. */
  ack(from: number, to: number): BufferedReading[] {
    const removed: BufferedReading[] = [];
    if (to < from) return removed;
    if (to - from < this.#entries.size) {
      for (let seq = from; seq <= to; seq++) {
        const entry = this.remove(seq);
        if (entry) removed.push(entry);
      }
    } else {
      for (const seq of [...this.#entries.keys()]) {
        if (seq >= from && seq <= to) removed.push(this.remove(seq)!);
      }
    }
    return removed;
  }

  /** Removes one reading (refused for good, or dropped); returns it if it was there. */
  remove(seq: number): BufferedReading | undefined {
    const entry = this.#entries.get(seq);
    if (!entry) return undefined;
    this.#entries.delete(seq);
    if (entry.inFlight) this.#inFlight--;
    return strip(entry);
  }

  /** A reading in flight goes back to pending, e.g. after "retry later". */
  requeue(seq: number): boolean {
    const entry = this.#entries.get(seq);
    if (!entry || !entry.inFlight) return false;
    entry.inFlight = false;
    this.#inFlight--;
    // Binary search for its place among the seqs still to send.
    let low = this.#head;
    let high = this.#queue.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#queue[middle] < seq) low = middle + 1;
      else high = middle;
    }
    this.#queue.splice(low, 0, seq);
    return true;
  }

  /** A new connection: everything buffered is to be sent again, in seq order. */
  requeueAll(): void {
    for (const entry of this.#entries.values()) entry.inFlight = false;
    this.#inFlight = 0;
    this.#rebuildQueue();
  }

  has(seq: number): boolean {
    return this.#entries.has(seq);
  }

  /** Every buffered reading, in seq order. */
  *readings(): IterableIterator<BufferedReading> {
    for (const entry of this.#entries.values()) yield strip(entry);
  }

  #rebuildQueue(): void {
    this.#queue = [];
    for (const entry of this.#entries.values()) if (!entry.inFlight) this.#queue.push(entry.seq);
    this.#head = 0;
  }

  #compact(): void {
    if (this.#head > 1_024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

function strip({ seq, ts, metrics }: Entry): BufferedReading {
  return { seq, ts, metrics };
}
