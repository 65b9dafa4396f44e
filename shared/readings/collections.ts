/** Where readings live: raw chunks and the rollup tiers (docs/data.md). */
import type { Collection, Db } from "mongodb";
import type { ChunkDoc } from "./chunks.ts";
import type { RollupDoc } from "./rollups.ts";

export const RAW_COLLECTION = "readings_raw";
export const ROLLUP_COLLECTIONS = { "1m": "readings_1m", "1h": "readings_1h" } as const;
/** The layout before issue 10: one document per reading, `_id` `${device}:${seq}`. */
export const OLD_COLLECTION = "readings";

export function rawChunks(db: Db): Collection<ChunkDoc> {
  return db.collection<ChunkDoc>(RAW_COLLECTION);
}

export function rollups(db: Db, tier: keyof typeof ROLLUP_COLLECTIONS): Collection<RollupDoc> {
  return db.collection<RollupDoc>(ROLLUP_COLLECTIONS[tier]);
}

/** "ferretdb" or "mongodb": MongoDB also gets the device in filters, for targeting a shard. */
export type Engine = "ferretdb" | "mongodb";

export async function detectEngine(db: Db): Promise<Engine> {
  const info = await db.command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === "string" ? "ferretdb" : "mongodb";
}

/**
 * The filter for one device's documents with `_id` in `range`. On MongoDB it names the device
 * too, so mongos sends it to the one shard holding the device (shard key `{d: "hashed", _id: 1}`).
 * On FerretDB it is `_id` alone: our build then answers it, its sort and its limit from the index.
 */
export function deviceFilter(
  engine: Engine,
  device: string,
  range: Record<string, string>,
): Record<string, unknown> {
  return engine === "mongodb" ? { d: device, _id: range } : { _id: range };
}
