/**
 * Searching, filtering, sorting and paging the fleet index (pure). At 10,000 devices one query is
 * a pass over an array already in natural order: no per-request sort unless another order is asked.
 */
import { z } from "zod";
import { queryInt } from "../query.ts";
import {
  DEVICE_STATUSES,
  type DeviceStatus,
  type FleetDevice,
  type FleetIndex,
  naturalCompare,
} from "./index.ts";

export const MAX_PAGE = 200;
export const SORTS = ["id", "name", "status", "seen"] as const;

export const fleetQuerySchema = z.strictObject({
  q: z.string().trim().max(100).optional(),
  status: z.enum(DEVICE_STATUSES as [DeviceStatus, ...DeviceStatus[]]).optional(),
  group: z.string().max(64).optional(),
  tag: z.string().max(64).optional(),
  alerting: z.enum(["true", "false"]).optional(),
  sort: z.enum(SORTS).default("id"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: queryInt(0, 10_000_000).default(0),
  limit: queryInt(1, MAX_PAGE).default(50),
});
export type FleetQuery = z.output<typeof fleetQuerySchema>;

export interface FleetPage {
  total: number;
  offset: number;
  limit: number;
  devices: FleetDevice[];
}

const STATUS_RANK: Record<DeviceStatus, number> = { offline: 0, never: 1, online: 2, disabled: 3 };

export function queryFleet(
  index: FleetIndex,
  query: FleetQuery,
  now: number,
  alerting: ReadonlySet<string> = new Set(),
): FleetPage {
  const needle = query.q?.toLowerCase();
  const matches = index.all().filter((d) =>
    (!needle || d.haystack.includes(needle)) &&
    (!query.status || index.status(d, now) === query.status) &&
    (query.group === undefined || d.group === query.group) &&
    (query.tag === undefined || d.tags.includes(query.tag)) &&
    (query.alerting === undefined || alerting.has(d.id) === (query.alerting === "true"))
  );
  const sorted = sortDevices(index, matches, query, now);
  return {
    total: matches.length,
    offset: query.offset,
    limit: query.limit,
    devices: sorted.slice(query.offset, query.offset + query.limit),
  };
}

function sortDevices(index: FleetIndex, list: FleetDevice[], query: FleetQuery, now: number) {
  const sign = query.dir === "desc" ? -1 : 1;
  if (query.sort === "id") return sign === 1 ? list : list.reverse();
  // Stable sorts of a list already in natural id order: ties keep that order, no tie-break needed.
  const key: (d: FleetDevice) => number | string = {
    name: (d: FleetDevice) => d.nameKey,
    status: (d: FleetDevice) => STATUS_RANK[index.status(d, now)],
    seen: (d: FleetDevice) => index.lastSeen(d) ?? -1,
  }[query.sort];
  const keyed = list.map((d) => ({ d, k: key(d) }));
  keyed.sort((a, b) => sign * (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.d);
}

/** Groups and tags in use, with counts, for the list's filter menus. */
export function fleetFacets(index: FleetIndex) {
  const groups = new Map<string, number>();
  const tags = new Map<string, number>();
  for (const d of index.all()) {
    if (d.group) groups.set(d.group, (groups.get(d.group) ?? 0) + 1);
    for (const tag of d.tags) tags.set(tag, (tags.get(tag) ?? 0) + 1);
  }
  const list = (m: Map<string, number>) =>
    [...m].sort((a, b) => naturalCompare(a[0], b[0])).map(([name, count]) => ({ name, count }));
  return { groups: list(groups), tags: list(tags) };
}
