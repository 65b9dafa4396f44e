/**
 * FleetIndex: every device of the fleet in memory on each web node, kept current from the device
 * change feed (feed.ts). The device list, the overview and alert evaluation read it; no request
 * scans the `devices` collection. Pure: the clock is passed in.
 *
 * Online means seen — a reading stored, or a connection opened — within 3 expected intervals
 * (the device's `expectedIntervalMs`, else the interval observed between its readings, else
 * 60 s), and never less than 15 s. A device never seen is "never", a disabled one "disabled".
 */
import type { ConnectionEvent, DeviceDoc, LastReading } from "@fleetmon/shared/db";

export type DeviceStatus = "online" | "offline" | "never" | "disabled";
export const DEVICE_STATUSES: DeviceStatus[] = ["online", "offline", "never", "disabled"];
export const DEFAULT_INTERVAL_MS = 60_000;
export const MIN_ONLINE_WINDOW_MS = 15_000;

export interface FleetDevice {
  id: string;
  name: string;
  enabled: boolean;
  group: string | null;
  tags: string[];
  createdAt: Date;
  expectedIntervalMs: number | null;
  /** Interval between readings as observed (moving average), ms. */
  observedIntervalMs: number | null;
  last: LastReading | null;
  /** The newest connect or disconnect seen. */
  connection: ConnectionEvent | null;
  /** Lower-cased id, name, group and tags, for search. */
  haystack: string;
  /** The name lower-cased with digit runs padded, so `<` sorts it naturally (no collator per compare). */
  nameKey: string;
  /** Bumped on every change, so streams send only changed rows. */
  version: number;
}

/** A string's natural sort key: lower case, each run of digits padded to 16. */
export function naturalKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, (digits) => digits.padStart(16, "0"));
}

export const naturalCompare = new Intl.Collator("en", { numeric: true, sensitivity: "base" })
  .compare;

export class FleetIndex {
  #devices = new Map<string, FleetDevice>();
  #sorted: FleetDevice[] | undefined;
  #version = 0;
  #metaVersion = 0;

  get size(): number {
    return this.#devices.size;
  }

  /** A counter bumped by every change; equal values mean nothing changed. */
  get version(): number {
    return this.#version;
  }

  /** Bumped only when devices are added, removed or edited (not by readings): for caches of groups and tags. */
  get metaVersion(): number {
    return this.#metaVersion;
  }

  get(id: string): FleetDevice | undefined {
    return this.#devices.get(id);
  }

  /** Every device, in natural order of id (sim-2 before sim-10). */
  all(): readonly FleetDevice[] {
    this.#sorted ??= [...this.#devices.values()].sort((a, b) => naturalCompare(a.id, b.id));
    return this.#sorted;
  }

  /** Replaces everything with `docs` (a full load); keeps what the feed told about connections. */
  load(docs: DeviceDoc[]): void {
    const before = this.#devices;
    this.#devices = new Map();
    for (const doc of docs) {
      const known = before.get(doc._id);
      this.#put(doc, known);
    }
    this.#sorted = undefined;
    this.#version++;
  }

  /** Adds or replaces one device from its document. */
  upsert(doc: DeviceDoc): void {
    const known = this.#devices.get(doc._id);
    this.#put(doc, known);
    if (!known) this.#sorted = undefined;
    else if (this.#sorted) this.#sorted[this.#sorted.indexOf(known)] = this.#devices.get(doc._id)!;
    this.#version++;
  }

  remove(id: string): void {
    if (this.#devices.delete(id)) {
      this.#metaVersion++;
      this.#sorted = undefined;
      this.#version++;
    }
  }

  /** A newer reading of a device (an older or equal seq is ignored). */
  applyLast(id: string, last: LastReading): void {
    const device = this.#devices.get(id);
    if (!device || (device.last && device.last.seq >= last.seq)) return;
    if (device.last) {
      const gap = last.ts.getTime() - device.last.ts.getTime();
      const steps = Math.max(1, last.seq - device.last.seq);
      const interval = gap / steps;
      if (interval > 0 && Number.isFinite(interval)) {
        device.observedIntervalMs = device.observedIntervalMs === null
          ? interval
          : device.observedIntervalMs * 0.8 + interval * 0.2;
      }
    }
    device.last = last;
    this.#touch(device);
  }

  applyConnection(event: ConnectionEvent): void {
    const device = this.#devices.get(event.device);
    if (!device) return;
    if (device.connection && device.connection.at > event.at) return;
    device.connection = event;
    this.#touch(device);
  }

  /** When the device was last seen, epoch ms, or null when never. */
  lastSeen(device: FleetDevice): number | null {
    const seen = device.last?.seen.getTime() ?? null;
    const connected = device.connection?.kind === "connect" ? device.connection.at.getTime() : null;
    if (seen === null) return connected;
    return connected === null ? seen : Math.max(seen, connected);
  }

  /** How long after being seen a device still counts as online, ms. */
  onlineWindowMs(device: FleetDevice): number {
    const interval = device.expectedIntervalMs ?? device.observedIntervalMs ?? DEFAULT_INTERVAL_MS;
    return Math.max(MIN_ONLINE_WINDOW_MS, 3 * interval);
  }

  status(device: FleetDevice, now: number): DeviceStatus {
    if (!device.enabled) return "disabled";
    const seen = this.lastSeen(device);
    if (seen === null) return "never";
    return now - seen <= this.onlineWindowMs(device) ? "online" : "offline";
  }

  #put(doc: DeviceDoc, known: FleetDevice | undefined): void {
    this.#metaVersion++;
    const tags = [...new Set(doc.tags ?? [])].sort(naturalCompare);
    const last = !known?.last || (doc.last && doc.last.seq >= known.last.seq)
      ? doc.last ?? null
      : known.last;
    this.#devices.set(doc._id, {
      id: doc._id,
      name: doc.name,
      enabled: doc.enabled,
      group: doc.group ?? null,
      tags,
      createdAt: doc.createdAt,
      expectedIntervalMs: doc.expectedIntervalMs ?? null,
      observedIntervalMs: known?.observedIntervalMs ?? null,
      last,
      connection: known?.connection ?? null,
      haystack: [doc._id, doc.name, doc.group ?? "", ...tags].join("\n").toLowerCase(),
      nameKey: naturalKey(doc.name),
      version: ++this.#version,
    });
  }

  #touch(device: FleetDevice): void {
    device.version = ++this.#version;
  }
}
