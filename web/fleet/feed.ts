/**
 * Keeps a FleetIndex current: one full load of `devices` on the first sync (and every `reloadMs`
 * as a safety net), then the change feed `c:N` read by exact `_id` (shared/db/device_status.ts).
 * A number handed out but never written (a comm node that died between taking it and inserting)
 * is skipped after `gapTimeoutMs`, so one lost change never stalls the feed. No timers: the
 * caller syncs (web nodes every 500 ms, and before answering a request when older than that).
 */
import type { Db } from "mongodb";
import {
  collections,
  connectionHistory,
  type DeviceChangeDoc,
  latestDeviceChange,
  readDeviceChange,
} from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import type { FleetIndex } from "./index.ts";

export interface FleetFeedOptions {
  db: Db;
  index: FleetIndex;
  logger: Logger;
  now?: () => number;
  gapTimeoutMs?: number;
  reloadMs?: number;
}

const MAX_CHANGES_PER_SYNC = 1_000;

/**
 * Applies one change; returns the devices to re-read: those the change names, and any it brings
 * a reading of that the index does not know yet (registered with `deno task device add`, which
 * writes no change of its own).
 */
export function applyChange(index: FleetIndex, change: DeviceChangeDoc): string[] {
  const reread = new Set(change.devices ?? []);
  for (const { device, last } of change.last ?? []) {
    if (index.get(device)) index.applyLast(device, last);
    else reread.add(device);
  }
  for (const event of change.connections ?? []) index.applyConnection(event);
  return [...reread];
}

export class FleetFeed {
  #o: Required<Omit<FleetFeedOptions, "now">> & { now: () => number };
  #next = 0;
  #loadedAt: number | undefined;
  #missingSince: number | undefined;

  constructor(options: FleetFeedOptions) {
    this.#o = { gapTimeoutMs: 5_000, reloadMs: 10 * 60_000, now: Date.now, ...options };
  }

  /** The number of the next change to read. */
  get next(): number {
    return this.#next;
  }

  get loaded(): boolean {
    return this.#loadedAt !== undefined;
  }

  /** Loads everything (first time, or when due), then applies every change written since. */
  async sync(): Promise<void> {
    const { db, index, now } = this.#o;
    if (this.#loadedAt === undefined || now() - this.#loadedAt > this.#o.reloadMs) {
      const latest = await latestDeviceChange(db);
      index.load(
        await collections(db).devices.find({}, { projection: { tokenHash: 0 } }).toArray(),
      );
      // Who is connected now: the newest event of each device's history.
      for await (const doc of connectionHistory(db).find({}, { projection: { latest: 1 } })) {
        if (doc.latest) index.applyConnection(doc.latest);
      }
      this.#next = latest + 1;
      this.#loadedAt = now();
    }
    for (let i = 0; i < MAX_CHANGES_PER_SYNC; i++) {
      const change = await readDeviceChange(db, this.#next);
      if (change) {
        for (const id of applyChange(index, change)) await this.refreshDevice(id);
        this.#next++;
        this.#missingSince = undefined;
        continue;
      }
      this.#missingSince ??= now();
      if (now() - this.#missingSince < this.#o.gapTimeoutMs) return;
      this.#missingSince = undefined;
      const latest = await latestDeviceChange(db);
      if (latest < this.#next) return; // nothing new: not a gap
      if (latest - this.#next > MAX_CHANGES_PER_SYNC) {
        // Far behind (its changes may be swept already): load everything again.
        this.#loadedAt = undefined;
        return this.sync();
      }
      this.#o.logger.warn("device change never written; skipping it", { change: this.#next });
      this.#next++;
    }
  }

  /** Re-reads one device (after a change to its document). */
  async refreshDevice(id: string): Promise<void> {
    const doc = await collections(this.#o.db).devices.findOne({ _id: id }, {
      projection: { tokenHash: 0 },
    });
    if (doc) this.#o.index.upsert(doc);
    else this.#o.index.remove(id);
  }
}
