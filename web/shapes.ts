/**
 * The JSON shapes of the API (docs/api.md). Built field by field from the documents, so nothing
 * the database holds (a device's tokenHash, a session) can leak by being spread into a response.
 */
import { type DeviceDoc, NODE_STALE_AFTER_MS, type NodeDoc } from "@fleetmon/shared/db";

export interface DeviceJson {
  id: string;
  name: string;
  enabled: boolean;
  createdAt: string;
  lastSeen: string | null;
  lastSeq: number | null;
  lastTs: string | null;
  lastMetrics: Record<string, number> | null;
  lastNode: string | null;
}

export interface ReadingJson {
  device: string;
  seq: number;
  ts: string;
  metrics: Record<string, number>;
  receivedAt: string;
  node: string;
}

export interface NodeJson {
  id: string;
  kind: NodeDoc["kind"];
  version: string;
  address: string;
  host: string;
  pid: number;
  startedAt: string;
  heartbeatAt: string;
  alive: boolean;
  stats: Record<string, number>;
}

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);

export function deviceJson(doc: DeviceDoc): DeviceJson {
  return {
    id: doc._id,
    name: doc.name,
    enabled: doc.enabled,
    createdAt: doc.createdAt.toISOString(),
    lastSeen: iso(doc.last?.seen),
    lastSeq: doc.last?.seq ?? null,
    lastTs: iso(doc.last?.ts),
    lastMetrics: doc.last?.metrics ?? null,
    lastNode: doc.last?.node ?? null,
  };
}

/** A node is alive while its last heartbeat is younger than NODE_STALE_AFTER_MS. */
export function nodeJson(doc: NodeDoc, now: number): NodeJson {
  return {
    id: doc._id,
    kind: doc.kind,
    version: doc.version,
    address: doc.address,
    host: doc.host,
    pid: doc.pid,
    startedAt: doc.startedAt.toISOString(),
    heartbeatAt: doc.heartbeatAt.toISOString(),
    alive: now - doc.heartbeatAt.getTime() < NODE_STALE_AFTER_MS,
    stats: doc.stats ?? {},
  };
}
