/**
 * Each device's newest reading, on its device document, for the dashboard: comm writes them for
 * all its devices once a period instead of once per reading.
 */
import type { AnyBulkWriteOperation, Db } from "mongodb";
import { collections, type DeviceDoc, type LastReading, type ReadingDoc } from "./collections.ts";

/**
 * At most this many statements per update command: FerretDB 1.24 (SQLite) keeps each matched
 * statement's pooled connection until the command ends, and deadlocks once the update commands
 * running at the same time — from every comm node, web node and tool — hold 100 between them.
 */
const UPDATES_PER_COMMAND = 10;

/**
 * Sets each device's `last` reading unless it already holds a newer one (several nodes may
 * flush for one device that moved between them). `$max` on a sub-document whose first field is
 * `seq` decides that inside one update filtered by `_id` alone, which both MongoDB and FerretDB
 * answer from the `_id` index; any second condition in the filter makes FerretDB scan.
 */
export async function writeLastReadings(db: Db, docs: ReadingDoc[]): Promise<void> {
  for (let i = 0; i < docs.length; i += UPDATES_PER_COMMAND) {
    await collections(db).devices.bulkWrite(
      docs.slice(i, i + UPDATES_PER_COMMAND).map((doc): AnyBulkWriteOperation<DeviceDoc> => ({
        updateOne: { filter: { _id: doc.device }, update: { $max: { last: lastReading(doc) } } },
      })),
      { ordered: false },
    );
  }
}

function lastReading(doc: ReadingDoc): LastReading {
  return { seq: doc.seq, ts: doc.ts, metrics: doc.metrics, seen: doc.receivedAt, node: doc.node };
}
