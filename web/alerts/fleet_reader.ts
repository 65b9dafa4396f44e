/**
 * Where the evaluator gets each device's newest reading. One small interface, so the evaluator
 * does not care whether the figures come from a scan of `devices.last` (below; what comm writes
 * once a second) or from a web node's in-memory fleet index fed by a change feed.
 */
import type { Db } from "mongodb";
import { collections } from "@fleetmon/shared/db";

export interface DeviceLatest {
  id: string;
  group?: string;
  enabled: boolean;
  /** When the newest reading arrived (server clock), its own time, sequence and values. */
  seen?: Date;
  ts?: Date;
  seq?: number;
  metrics?: Record<string, number>;
}

export interface FleetReader {
  /** Every device with its newest reading. */
  latest(): Promise<DeviceLatest[]>;
  /**
   * Optional: calls `listener` when a newer reading of a device is known, so the evaluator runs
   * at once instead of at its next tick. Returns the unsubscribe function.
   */
  onReading?(listener: (device: string) => void): () => void;
}

/**
 * Reads `devices` with a projection each call: one scan of the collection (FerretDB scans any
 * filter but `_id`), about N ms for 10,000 devices (docs/web.md, Alerts).
 */
export function mongoFleetReader(db: Db): FleetReader {
  return {
    async latest() {
      const docs = await collections(db).devices.find({}, {
        projection: { _id: 1, group: 1, enabled: 1, last: 1 },
      }).toArray();
      return docs.map((doc) => ({
        id: doc._id,
        group: (doc as { group?: string }).group,
        enabled: doc.enabled,
        seen: doc.last?.seen,
        ts: doc.last?.ts,
        seq: doc.last?.seq,
        metrics: doc.last?.metrics,
      }));
    },
  };
}
