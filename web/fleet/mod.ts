/**
 * The fleet as one web node sees it: the in-memory index kept current from the change feed, the
 * overview's counts and traffic, and operators' edits. One per node (startFleet), shared by the
 * API, the pages, the live streams and alert evaluation.
 *
 * For alerting: `fleet.latest(id)` is a device's newest reading and `fleet.onReading(fn)` calls
 * `fn(id, last)` for each newer reading as the feed brings it (within ~0.5 s of comm's write).
 */
import type { Db } from "mongodb";
import type { LastReading } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import { type Activity, createActivityReader, emptyActivity } from "./activity.ts";
import { type FiringAlert, type FiringSource, noAlerts } from "./alerts_view.ts";
import {
  type DeviceEdit,
  type DeviceRegistration,
  editDevice,
  registerDeviceFromWeb,
} from "./edit.ts";
import { FleetFeed } from "./feed.ts";
import { type DeviceStatus, type FleetDevice, FleetIndex } from "./index.ts";
import { countFleet, type FleetCounts } from "./overview.ts";
import { fleetFacets, type FleetQuery, queryFleet } from "./query.ts";

export type { FiringAlert, FiringSource } from "./alerts_view.ts";
export { type DeviceStatus, type FleetDevice, FleetIndex, naturalCompare } from "./index.ts";
export { type FleetQuery, fleetQuerySchema } from "./query.ts";
export { deviceEditSchema, deviceRegistrationSchema } from "./edit.ts";

export interface DeviceRowJson {
  id: string;
  name: string;
  status: DeviceStatus;
  enabled: boolean;
  group: string | null;
  tags: string[];
  lastSeen: string | null;
  lastNode: string | null;
  lastMetrics: Record<string, number> | null;
  connected: boolean;
  alerting: boolean;
  expectedIntervalMs: number | null;
}

export interface OverviewJson extends Activity {
  devices: FleetCounts;
  alertsFiring: number;
  at: string;
}

export interface Fleet {
  index: FleetIndex;
  /**
   * Brings the index up to date when its last sync is older than `maxAgeMs` (default 500 ms).
   * One sync at a time; callers at once share it. Every read below wants a sync first.
   */
  sync(maxAgeMs?: number): Promise<void>;
  query(
    query: FleetQuery,
  ): { total: number; offset: number; limit: number; devices: DeviceRowJson[] };
  facets(): ReturnType<typeof fleetFacets>;
  overview(): OverviewJson;
  row(id: string): DeviceRowJson | undefined;
  /** A device's newest reading as the index knows it (for alert evaluation). */
  latest(id: string): LastReading | null;
  /** Calls `listener(device, last)` for every newer reading a sync brings; returns unsubscribe. */
  onReading(listener: (device: string, last: LastReading) => void): () => void;
  /** The alerts firing as of the last sync. */
  firing(): readonly FiringAlert[];
  /** Every device with its newest reading, for alert evaluation (web/alerts' FleetReader). */
  latestAll(): Promise<DeviceLatest[]>;
  edit(id: string, edit: DeviceEdit): Promise<DeviceRowJson>;
  register(input: DeviceRegistration): Promise<{ id: string; token: string }>;
}

export interface FleetOptions {
  db: Db;
  logger: Logger;
  now?: () => number;
  /** How old the overview's traffic figures and firing alerts may be, ms (default 2000). */
  activityMaxAgeMs?: number;
  /** Where firing alerts come from (web/alerts' firingAlerts); none unless given. */
  firing?: FiringSource;
}

export interface DeviceLatest {
  id: string;
  group?: string;
  enabled: boolean;
  seen?: Date;
  ts?: Date;
  seq?: number;
  metrics?: Record<string, number>;
}

export function createFleet(options: FleetOptions): Fleet {
  const { db, logger } = options;
  const now = options.now ?? Date.now;
  const index = new FleetIndex();
  const listeners = new Set<(device: string, last: LastReading) => void>();
  const applyLast = index.applyLast.bind(index);
  index.applyLast = (id, last) => {
    const before = index.get(id)?.last;
    applyLast(id, last);
    if (listeners.size > 0 && index.get(id)?.last === last && before !== last) {
      for (const listener of listeners) listener(id, last);
    }
  };
  const feed = new FleetFeed({ db, index, logger, now });
  const readFiring = options.firing ?? noAlerts;
  let firing: FiringAlert[] = [];
  let firingDevices = new Set<string>();
  let activity = emptyActivity();
  let activityAt = -Infinity;
  const readActivity = createActivityReader(db);
  let facets: { version: number; value: ReturnType<typeof fleetFacets> } | undefined;
  let syncing: Promise<void> | undefined;
  let syncedAt = -Infinity;

  const syncOnce = async () => {
    const started = now();
    await feed.sync();
    if (started - activityAt >= (options.activityMaxAgeMs ?? 2_000)) {
      try {
        [activity, firing] = await Promise.all([readActivity(started), readFiring()]);
        firingDevices = new Set(firing.map((a) => a.device));
        activityAt = started;
      } catch (error) {
        logger.warn("cannot read fleet activity; will retry", { error });
      }
    }
    syncedAt = started;
  };

  const rowOf = (device: FleetDevice, at: number, firing: ReadonlySet<string>): DeviceRowJson => ({
    id: device.id,
    name: device.name,
    status: index.status(device, at),
    enabled: device.enabled,
    group: device.group,
    tags: device.tags,
    lastSeen: iso(index.lastSeen(device)),
    lastNode: device.last?.node ?? null,
    lastMetrics: device.last?.metrics ?? null,
    connected: device.connection?.kind === "connect",
    alerting: firing.has(device.id),
    expectedIntervalMs: device.expectedIntervalMs,
  });
  const row = (id: string) => {
    const device = index.get(id);
    return device && rowOf(device, now(), firingDevices);
  };

  const fleet: Fleet = {
    index,
    sync(maxAgeMs = 500) {
      if (syncing) return syncing;
      if (now() - syncedAt < maxAgeMs && feed.loaded) return Promise.resolve();
      syncing = syncOnce().finally(() => syncing = undefined);
      return syncing;
    },
    query(query) {
      const at = now();
      const page = queryFleet(index, query, at, firingDevices);
      return { ...page, devices: page.devices.map((d) => rowOf(d, at, firingDevices)) };
    },
    facets() {
      if (facets?.version !== index.metaVersion) {
        facets = { version: index.metaVersion, value: fleetFacets(index) };
      }
      return facets.value;
    },
    overview: () => ({
      devices: countFleet(index, now()),
      ...activity,
      alertsFiring: firing.length,
      at: new Date(now()).toISOString(),
    }),
    row,
    latest: (id) => index.get(id)?.last ?? null,
    onReading(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    firing: () => firing,
    async latestAll() {
      await fleet.sync();
      return index.all().map((d) => ({
        id: d.id,
        ...(d.group !== null && { group: d.group }),
        enabled: d.enabled,
        seen: d.last?.seen,
        ts: d.last?.ts,
        seq: d.last?.seq,
        metrics: d.last?.metrics,
      }));
    },
    async edit(id, edit) {
      await editDevice(db, id, edit);
      await feed.refreshDevice(id);
      return row(id)!;
    },
    async register(input) {
      const registered = await registerDeviceFromWeb(db, input);
      await feed.refreshDevice(input.id);
      return registered;
    },
  };
  return fleet;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
