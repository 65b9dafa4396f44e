/**
 * A set of seqs kept as sorted, disjoint ranges: a device's acked readings are mostly one run,
 * so a million acks take a few numbers. Adding at the end is O(1); elsewhere O(log n + shift).
 */
export class SeqSet {
  /** [from0, to0, from1, to1, …], sorted, never touching (to_i + 1 < from_i+1). */
  #bounds: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get rangeCount(): number {
    return this.#bounds.length / 2;
  }

  add(seq: number): boolean {
    const b = this.#bounds;
    const n = b.length;
    if (n === 0 || seq > b[n - 1] + 1) {
      b.push(seq, seq);
    } else if (seq === b[n - 1] + 1) {
      b[n - 1] = seq;
    } else {
      const i = this.#rangeAtOrBefore(seq);
      if (i >= 0 && seq <= b[i + 1]) return false;
      const joinsLeft = i >= 0 && b[i + 1] + 1 === seq;
      const joinsRight = i + 2 < n && b[i + 2] - 1 === seq;
      if (joinsLeft && joinsRight) b.splice(i + 1, 2);
      else if (joinsLeft) b[i + 1] = seq;
      else if (joinsRight) b[i + 2] = seq;
      else b.splice(i + 2, 0, seq, seq);
    }
    this.#size++;
    return true;
  }

  has(seq: number): boolean {
    const i = this.#rangeAtOrBefore(seq);
    return i >= 0 && seq <= this.#bounds[i + 1];
  }

  get min(): number | undefined {
    return this.#bounds[0];
  }

  get max(): number | undefined {
    return this.#bounds[this.#bounds.length - 1];
  }

  *ranges(): IterableIterator<[number, number]> {
    for (let i = 0; i < this.#bounds.length; i += 2) yield [this.#bounds[i], this.#bounds[i + 1]];
  }

  /** Index (even) of the last range starting at or before `seq`, or -2. */
  #rangeAtOrBefore(seq: number): number {
    let low = 0;
    let high = this.#bounds.length / 2;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#bounds[middle * 2] <= seq) low = middle + 1;
      else high = middle;
    }
    return (low - 1) * 2;
  }
}
