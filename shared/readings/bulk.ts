/**
 * Bulk loading in the layout comm and the rollups write: raw chunks from `buildChunks`, and the
 * rollup documents built in memory from the same readings (one device's readings, all of them),
 * for benchmarks and imports. Pure.
 */
import type { Reading } from "./chunks.ts";
import { bucketId } from "./_keys.ts";
import type { RollupDoc } from "./rollups.ts";
import { TIERS } from "./rollups.ts";
import { bucketReadings } from "./series.ts";
import { packCells } from "./cell_codec.ts";

/** One tier's documents for `device`, from all of its readings in [from, to). */
export function rollupDocs(
  device: string,
  readings: Reading[],
  tier: keyof typeof TIERS,
  from = -Infinity,
  to = Infinity,
): RollupDoc[] {
  const { cellMs, docMs } = TIERS[tier];
  const docs = new Map<number, RollupDoc>();
  const cells = bucketReadings(readings.filter((r) => r.ts >= from && r.ts < to), cellMs);
  for (const [start, metrics] of cells) {
    const docStart = start - (start % docMs);
    let doc = docs.get(docStart);
    if (!doc) {
      docs.set(
        docStart,
        doc = { _id: bucketId(device, docStart), d: device, t: new Date(docStart), c: {} },
      );
    }
    doc.c[String((start - docStart) / cellMs)] = packCells(metrics, start);
  }
  return [...docs.values()];
}
