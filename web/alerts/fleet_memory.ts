/**
 * What the evaluator remembers of each device between ticks: its newest reading, the one before
 * (for rates) and when each metric was last present (for no-data rules). Pure.
 */
import type { DeviceMemory } from "./conditions.ts";
import type { DeviceLatest } from "./fleet_reader.ts";

export class FleetMemory {
  #devices = new Map<string, DeviceMemory & { seq?: number }>();

  /** Takes one look at the fleet at time `now`; devices gone from it are forgotten. */
  observe(latest: DeviceLatest[], now: number): void {
    const seen = new Set<string>();
    for (const d of latest) {
      seen.add(d.id);
      let m = this.#devices.get(d.id);
      if (!m) {
        m = { id: d.id, metricSeenAt: new Map(), watchedSince: now };
        this.#devices.set(d.id, m);
      }
      m.group = d.group;
      if (d.seq !== undefined && d.seq !== m.seq && d.ts && d.metrics) {
        if (m.ts !== undefined && m.metrics) m.prev = { ts: m.ts, metrics: m.metrics };
        m.seq = d.seq;
        m.ts = d.ts.getTime();
        m.metrics = d.metrics;
        const at = d.seen?.getTime() ?? now;
        for (const name of Object.keys(d.metrics)) m.metricSeenAt.set(name, at);
      }
      m.lastSeen = d.seen?.getTime();
      if (!d.enabled) this.#devices.delete(d.id);
    }
    for (const id of this.#devices.keys()) if (!seen.has(id)) this.#devices.delete(id);
  }

  devices(): Iterable<DeviceMemory> {
    return this.#devices.values();
  }

  get(id: string): DeviceMemory | undefined {
    return this.#devices.get(id);
  }

  clear(): void {
    this.#devices.clear();
  }
}
