/**
 * Keeps what the dashboard needs from this node until comm writes it (`writeDeviceStatus`), once
 * a period: each device's newest reading, connects and disconnects, and how many readings were
 * stored and refused since the last write. The dashboard stays current without a write per reading.
 */
import type { ConnectionEvent, DeviceStatusUpdate, ReadingDoc } from "@fleetmon/shared/db";
import type { CommStats } from "./stats.ts";

export class LastReadings {
  #latest = new Map<string, ReadingDoc>();
  #connections: ConnectionEvent[] = [];
  #counted = { readings: 0, nacks: {} as Record<string, number> };

  /** Remembers `doc` if it is the newest stored reading of its device. */
  note(doc: ReadingDoc): void {
    const known = this.#latest.get(doc.device);
    if (!known || known.seq < doc.seq) this.#latest.set(doc.device, doc);
  }

  noteConnection(event: ConnectionEvent): void {
    // Bounded: a database down for long keeps the newest 10,000 events only.
    if (this.#connections.length >= 10_000) this.#connections.shift();
    this.#connections.push(event);
  }

  get size(): number {
    return this.#latest.size + this.#connections.length;
  }

  /** Takes what was noted since the last call. */
  take(): ReadingDoc[] {
    const docs = [...this.#latest.values()];
    this.#latest.clear();
    return docs;
  }

  /** Takes everything since the last call, with `stats`' counts since then; see `giveBack`. */
  takeUpdate(stats: CommStats): DeviceStatusUpdate {
    const nacks: Record<string, number> = {};
    for (const [code, count] of Object.entries(stats.readingsRejected)) {
      const delta = (count ?? 0) - (this.#counted.nacks[code] ?? 0);
      if (delta > 0) nacks[code] = delta;
    }
    const update = {
      last: this.take(),
      connections: this.#connections,
      readings: stats.readingsStored - this.#counted.readings,
      nacks,
    };
    this.#connections = [];
    this.#counted = {
      readings: stats.readingsStored,
      nacks: { ...stats.readingsRejected } as Record<string, number>,
    };
    return update;
  }

  /** Puts back an update that could not be written, to go with the next one. */
  giveBack(update: DeviceStatusUpdate): void {
    for (const doc of update.last) this.note(doc);
    this.#connections.unshift(...update.connections);
    this.#counted.readings -= update.readings;
    for (const [code, count] of Object.entries(update.nacks)) this.#counted.nacks[code] -= count;
  }
}
