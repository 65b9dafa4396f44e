/** The overview's device counts from the fleet index (pure). */
import type { DeviceStatus, FleetIndex } from "./index.ts";

export interface FleetCounts {
  total: number;
  online: number;
  offline: number;
  never: number;
  disabled: number;
  /** Per group (null: devices in no group), in natural order. */
  groups: { name: string | null; total: number; online: number; offline: number }[];
}

export function countFleet(index: FleetIndex, now: number): FleetCounts {
  const counts: Record<DeviceStatus, number> = { online: 0, offline: 0, never: 0, disabled: 0 };
  const groups = new Map<string | null, { total: number; online: number; offline: number }>();
  for (const device of index.all()) {
    const status = index.status(device, now);
    counts[status]++;
    let group = groups.get(device.group);
    if (!group) groups.set(device.group, group = { total: 0, online: 0, offline: 0 });
    group.total++;
    if (status === "online") group.online++;
    if (status === "offline") group.offline++;
  }
  return {
    total: index.size,
    ...counts,
    groups: [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) =>
      a.name === null
        ? 1
        : b.name === null
        ? -1
        : a.name.localeCompare(b.name, "en", { numeric: true })
    ),
  };
}
