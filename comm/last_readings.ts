/**
 * Keeps each device's newest reading until comm writes them all to the devices collection
 * (`writeLastReadings`), once a period: the dashboard stays current without a write per reading.
 */
import type { ReadingDoc } from "@fleetmon/shared/db";

export class LastReadings {
  #latest = new Map<string, ReadingDoc>();

  /** Remembers `doc` if it is the newest stored reading of its device. */
  note(doc: ReadingDoc): void {
    const known = this.#latest.get(doc.device);
    if (!known || known.seq < doc.seq) this.#latest.set(doc.device, doc);
  }

  get size(): number {
    return this.#latest.size;
  }

  /** Takes what was noted since the last call. */
  take(): ReadingDoc[] {
    const docs = [...this.#latest.values()];
    this.#latest.clear();
    return docs;
  }
}
