/**
 * Chart series: which tier answers a range, and readings or rollup cells folded into at most
 * MAX_POINTS buckets per metric, with gaps kept as gaps. Pure.
 */
import type { Reading } from "./chunks.ts";

export type Tier = "raw" | "1m" | "1h";
export const TIER_STEP_MS: Record<Tier, number> = { raw: 0, "1m": 60_000, "1h": 3_600_000 };
export const MAX_POINTS = 1_000;
/** Raw answers ranges up to an hour; 1m up to 25 hours (1,500 buckets); 1h the rest. */
const RAW_UP_TO_MS = 3_600_000;
const MINUTE_UP_TO_MS = 25 * 3_600_000;
const NICE_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800]
  .map((s) => s * 1_000).concat([21_600_000, 43_200_000, 86_400_000, 7 * 86_400_000]);

/** The tier for [from, to) and the bucket width that keeps it within MAX_POINTS. */
export function chooseTier(from: number, to: number): { tier: Tier; stepMs: number } {
  const span = Math.max(1, to - from);
  const tier: Tier = span <= RAW_UP_TO_MS ? "raw" : span <= MINUTE_UP_TO_MS ? "1m" : "1h";
  // At most MAX_POINTS - 1 steps in the span: one more bucket when `from` falls inside one.
  const least = Math.max(TIER_STEP_MS[tier], span / (MAX_POINTS - 1));
  const stepMs = NICE_STEPS_MS.find((s) => s >= least) ??
    Math.ceil(least / 86_400_000) * 86_400_000;
  return { tier, stepMs };
}

/** One metric's figures over a bucket: what rollups keep, and what a chart point shows. */
export interface Cell {
  min: number;
  max: number;
  sum: number;
  count: number;
  last: number;
  /** ts of `last`. */
  lastTs: number;
}

export function addValue(cell: Cell | undefined, value: number, ts: number): Cell {
  if (!cell) return { min: value, max: value, sum: value, count: 1, last: value, lastTs: ts };
  cell.min = Math.min(cell.min, value);
  cell.max = Math.max(cell.max, value);
  cell.sum += value;
  cell.count++;
  if (ts >= cell.lastTs) [cell.last, cell.lastTs] = [value, ts];
  return cell;
}

export function mergeCell(into: Cell | undefined, cell: Cell): Cell {
  if (!into) return { ...cell };
  into.min = Math.min(into.min, cell.min);
  into.max = Math.max(into.max, cell.max);
  into.sum += cell.sum;
  into.count += cell.count;
  if (cell.lastTs >= into.lastTs) [into.last, into.lastTs] = [cell.last, cell.lastTs];
  return into;
}

/** Buckets keyed by start, each a map of metric name to cell. */
export type Buckets = Map<number, Map<string, Cell>>;

export function bucketReadings(
  readings: Iterable<Reading>,
  stepMs: number,
  into: Buckets = new Map(),
) {
  for (const r of readings) {
    const start = r.ts - (r.ts % stepMs);
    let bucket = into.get(start);
    if (!bucket) into.set(start, bucket = new Map());
    for (const name in r.metrics) {
      bucket.set(name, addValue(bucket.get(name), r.metrics[name], r.ts));
    }
  }
  return into;
}

export function bucketCells(
  start: number,
  cells: Record<string, Cell>,
  stepMs: number,
  into: Buckets,
) {
  const key = start - (start % stepMs);
  let bucket = into.get(key);
  if (!bucket) into.set(key, bucket = new Map());
  for (const name in cells) bucket.set(name, mergeCell(bucket.get(name), cells[name]));
  return into;
}

export interface MetricSeries {
  min: (number | null)[];
  max: (number | null)[];
  avg: (number | null)[];
  last: (number | null)[];
}

export interface Series {
  tier: Tier;
  stepMs: number;
  from: number;
  to: number;
  /** Bucket starts, oldest first; a row of nulls marks the start of a gap. */
  t: number[];
  metrics: Record<string, MetricSeries>;
  /** [from, to) of each stretch without data between two points. */
  gaps: [number, number][];
}

/**
 * The chart's columns. Only buckets with data become points; where two points lie further
 * apart than twice the step and three times the usual spacing, a null row goes between them,
 * so a chart breaks the line there instead of drawing across the gap.
 */
export function toSeries(
  buckets: Buckets,
  tier: Tier,
  stepMs: number,
  from: number,
  to: number,
): Series {
  const starts = [...buckets.keys()].sort((a, b) => a - b);
  const deltas = starts.slice(1).map((t, i) => t - starts[i]).sort((a, b) => a - b);
  const usual = deltas[Math.floor(deltas.length / 2)] ?? stepMs;
  const threshold = Math.max(2 * stepMs, 3 * usual);
  const names = new Set<string>();
  for (const bucket of buckets.values()) for (const name of bucket.keys()) names.add(name);
  const series: Series = { tier, stepMs, from, to, t: [], metrics: {}, gaps: [] };
  for (const name of [...names].sort()) {
    series.metrics[name] = { min: [], max: [], avg: [], last: [] };
  }
  const push = (t: number, bucket: Map<string, Cell> | undefined) => {
    series.t.push(t);
    for (const name in series.metrics) {
      const cell = bucket?.get(name);
      const m = series.metrics[name];
      m.min.push(cell ? cell.min : null);
      m.max.push(cell ? cell.max : null);
      m.avg.push(cell ? cell.sum / cell.count : null);
      m.last.push(cell ? cell.last : null);
    }
  };
  starts.forEach((start, i) => {
    const previous = starts[i - 1];
    if (previous !== undefined && start - previous > threshold) {
      series.gaps.push([previous + stepMs, start]);
      push(previous + stepMs, undefined);
    }
    push(start, buckets.get(start));
  });
  return series;
}
