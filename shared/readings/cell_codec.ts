/**
 * How a rollup cell is stored: one string per cell, `{"metric":[…]}` with names sorted, each
 * metric `[value, dt]` when the cell holds one value, else `[min, max, sum, count, last, dt]`,
 * where `dt` is `lastTs` in ms after the cell's start. FerretDB 1.24 (SQLite) spends its time per
 * field and per byte of a document it returns: a 24-hour chart's 25 minute documents held ~72,000
 * numbers as nested fields and took 2–3 s to read, the same cells as strings a tenth of that, and
 * these shorter strings (no 13-digit timestamps, one number for a lone value) about half again
 * (docs/data.md, "Charts"). Cells written before are still read: as objects
 * (`{metric: {min, max, …}}`), or as strings whose sixth number is an absolute `lastTs`. Pure.
 */
import type { Cell } from "./series.ts";

/** A stored cell: the packed string, or the object form of earlier rollups. */
export type StoredCells = string | Record<string, Cell>;

/** Below this a packed cell's time is an offset from the cell's start; from it, epoch ms (2001). */
const ABSOLUTE_TS = 1e12;

/** `start`: the cell's start, epoch ms. */
export function packCells(cells: Map<string, Cell> | Record<string, Cell>, start: number): string {
  const entries = cells instanceof Map ? [...cells] : Object.entries(cells);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const packed: Record<string, number[]> = {};
  for (const [name, c] of entries) {
    const dt = c.lastTs - start;
    const lone = c.count === 1 && c.min === c.last && c.max === c.last && c.sum === c.last;
    packed[name] = lone ? [c.last, dt] : [c.min, c.max, c.sum, c.count, c.last, dt];
  }
  return JSON.stringify(packed);
}

export function unpackCells(stored: StoredCells, start: number): Record<string, Cell> {
  if (typeof stored !== "string") return stored;
  const cells: Record<string, Cell> = {};
  const packed: Record<string, number[]> = JSON.parse(stored);
  for (const name in packed) {
    const p = packed[name];
    if (p.length === 2) {
      const [value, dt] = p;
      cells[name] = {
        min: value,
        max: value,
        sum: value,
        count: 1,
        last: value,
        lastTs: start + dt,
      };
    } else {
      const [min, max, sum, count, last, ts] = p;
      cells[name] = { min, max, sum, count, last, lastTs: ts < ABSOLUTE_TS ? start + ts : ts };
    }
  }
  return cells;
}
