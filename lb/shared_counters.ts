/**
 * The counters the data plane (in its worker) and the control plane (on the main thread) share:
 * one SharedArrayBuffer, so `/stats` reads them without asking the data plane, and the data plane
 * reads whether a backend takes connections without being told each time. Each side writes its
 * own fields only: the data plane the counts, the control plane the `available` flags.
 *
 * A backend has a slot, given by the control plane and handed back by the data plane once it has
 * let go of the backend (see data_plane.ts): a slot's counts never mix two backends.
 */

/** Backends that can have a slot at once: current ones, and removed ones still draining. */
export const MAX_SLOTS = 1024;

/** The balancer's own counts. */
export const TOTALS = ["active", "total", "noBackend", "acceptErrors", "idleTimeouts"] as const;
export type TotalName = typeof TOTALS[number];

/** Each backend's counts. */
export const SLOT_COUNTS = ["total", "failedConnects", "txBytes", "rxBytes", "active"] as const;
export type SlotCountName = typeof SLOT_COUNTS[number];

const TOTAL_INDEX = Object.fromEntries(TOTALS.map((n, i) => [n, i])) as Record<TotalName, number>;
const SLOT_INDEX = Object.fromEntries(SLOT_COUNTS.map((n, i) => [n, i])) as Record<
  SlotCountName,
  number
>;
const NUMBERS = TOTALS.length + MAX_SLOTS * SLOT_COUNTS.length;

export class SharedCounters {
  readonly buffer: SharedArrayBuffer;
  /** Counts as float64: exact integers up to 2⁵³ (bytes relayed included). */
  readonly #numbers: Float64Array;
  readonly #available: Int32Array;

  /** A new set of counters, or a view of `buffer` made by another thread. */
  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(NUMBERS * 8 + MAX_SLOTS * 4);
    this.#numbers = new Float64Array(this.buffer, 0, NUMBERS);
    this.#available = new Int32Array(this.buffer, NUMBERS * 8, MAX_SLOTS);
  }

  total(name: TotalName): number {
    return this.#numbers[TOTAL_INDEX[name]];
  }

  setTotal(name: TotalName, value: number): void {
    this.#numbers[TOTAL_INDEX[name]] = value;
  }

  count(slot: number, name: SlotCountName): number {
    return this.#numbers[slotIndex(slot, name)];
  }

  setCount(slot: number, name: SlotCountName, value: number): void {
    this.#numbers[slotIndex(slot, name)] = value;
  }

  available(slot: number): boolean {
    return Atomics.load(this.#available, slot) === 1;
  }

  setAvailable(slot: number, available: boolean): void {
    Atomics.store(this.#available, slot, available ? 1 : 0);
  }

  /** Zeroes a slot for a new backend. */
  reset(slot: number): void {
    for (const name of SLOT_COUNTS) this.setCount(slot, name, 0);
    this.setAvailable(slot, true);
  }
}

function slotIndex(slot: number, name: SlotCountName): number {
  return TOTALS.length + slot * SLOT_COUNTS.length + SLOT_INDEX[name];
}

/** Hands out free slots on the control plane's side. */
export class SlotAllocator {
  readonly #free: number[] = Array.from({ length: MAX_SLOTS }, (_, i) => MAX_SLOTS - 1 - i);

  take(): number {
    const slot = this.#free.pop();
    if (slot === undefined) {
      throw new RangeError(`Cannot add a backend: ${MAX_SLOTS} backends are in use or draining`);
    }
    return slot;
  }

  give(slot: number): void {
    this.#free.push(slot);
  }
}
