/**
 * Keeps each device's newest reading and writes them to the devices collection once a period,
 * one bulk write for all devices: the dashboard stays current without a write per reading.
 */
import type { AnyBulkWriteOperation, Db } from "mongodb";
import type { DeviceDoc } from "@fleetmon/shared/db";
import { collections, type ReadingDoc } from "@fleetmon/shared/db";

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

/**
 * At most this many statements per update command: FerretDB 1.24 (SQLite) keeps each matched
 * statement's pooled connection until the command ends, and deadlocks once the update commands
 * running at the same time — from every comm node, web node and tool — hold 100 between them.
 */
const UPDATES_PER_COMMAND = 10;

/** Sets last* fields, never moving a device back to an older reading. */
export async function writeLastReadings(db: Db, docs: ReadingDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += UPDATES_PER_COMMAND) {
    await collections(db).devices.bulkWrite(
      docs.slice(i, i + UPDATES_PER_COMMAND).map((doc): AnyBulkWriteOperation<DeviceDoc> => ({
        updateOne: {
          // "missing or lower". Not an $or: FerretDB 1.24 scans the whole collection for that.
          filter: { _id: doc.device, lastSeq: { $not: { $gte: doc.seq } } },
          update: {
            $set: {
              lastSeq: doc.seq,
              lastTs: doc.ts,
              lastMetrics: doc.metrics,
              lastSeen: doc.receivedAt,
              lastNode: doc.node,
            },
          },
        },
      })),
      { ordered: false },
    );
  }
}
