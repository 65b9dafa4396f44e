/**
 * How a rollup cell is stored: one string per cell, `{"metric":[min,max,sum,count,last,lastTs]}`
 * with names sorted. FerretDB 1.24 (SQLite) spends its time per field of a document it returns: a
 * 24-hour chart's 25 minute documents held ~72,000 numbers as nested fields and took 2–3 s to read,
 * the same cells as strings a tenth of that (docs/data.md, "Charts"). Cells written before as
 * objects (`{metric: {min, max, …}}`) are still read. Pure.
 */
import type { Cell } from "./series.ts";

/** A stored cell: the packed string, or the object form of earlier rollups. */
export type StoredCells = string | Record<string, Cell>;

export function packCells(cells: Map<string, Cell> | Record<string, Cell>): string {
  const entries = cells instanceof Map ? [...cells] : Object.entries(cells);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const packed: Record<string, number[]> = {};
  for (const [name, c] of entries) packed[name] = [c.min, c.max, c.sum, c.count, c.last, c.lastTs];
  return JSON.stringify(packed);
}

export function unpackCells(stored: StoredCells): Record<string, Cell> {
  if (typeof stored !== "string") return stored;
  const cells: Record<string, Cell> = {};
  const packed: Record<string, number[]> = JSON.parse(stored);
  for (const [name, [min, max, sum, count, last, lastTs]] of Object.entries(packed)) {
    cells[name] = { min, max, sum, count, last, lastTs };
  }
  return cells;
}
