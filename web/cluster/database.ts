/**
 * What the cluster page says about the database: server and version, whether it is a mongos
 * (sharded MongoDB) with its shards, and how the readings' collections (raw chunks, 1-minute and
 * 1-hour rollups: docs/data.md) are spread over the shards (`$collStats`, one answer per shard),
 * or a single server (FerretDB here). Each part that the server cannot answer is left out with the
 * reason, never an error for the whole page.
 */
import type { Db } from "mongodb";
import { RAW_COLLECTION, ROLLUP_COLLECTIONS } from "@fleetmon/shared/readings";

export interface ShardView {
  id: string;
  host: string;
  state?: number;
}

/** One collection's documents on one shard ("(single server)" without shards). */
export interface SpreadView {
  collection: string;
  shard: string;
  count: number;
  sizeBytes: number;
}

export interface DatabaseView {
  name: string;
  version: string | null;
  /** "FerretDB" when the server says so, else "MongoDB". */
  server: string;
  topology: "sharded" | "replica set" | "standalone" | "unknown";
  shards: ShardView[];
  /** Each readings collection by shard (sharded) or one row per collection for the server. */
  readings: SpreadView[];
  /** Documents per collection: `devices` and the readings collections; null when not known. */
  counts: Record<string, number | null>;
  notes: string[];
}

/** The readings' collections, as the data layer stores them, with what one document holds. */
export const READINGS_COLLECTIONS: { name: string; holds: string }[] = [
  { name: RAW_COLLECTION, holds: "raw chunks" },
  { name: ROLLUP_COLLECTIONS["1m"], holds: "1-minute buckets (an hour each)" },
  { name: ROLLUP_COLLECTIONS["1h"], holds: "1-hour buckets (a day each)" },
];

const reason = (error: unknown) => (error as Error).message?.split("\n")[0] ?? String(error);

export async function describeDatabase(db: Db): Promise<DatabaseView> {
  const admin = db.admin();
  const notes: string[] = [];
  const view: DatabaseView = {
    name: db.databaseName,
    version: null,
    server: "MongoDB",
    topology: "unknown",
    shards: [],
    readings: [],
    counts: {},
    notes,
  };
  try {
    const info = await admin.command({ buildInfo: 1 });
    view.version = String(info.version ?? "");
    if (typeof info.ferretdbVersion === "string") {
      view.server = "FerretDB";
      view.version = `${info.ferretdbVersion} (speaks MongoDB ${info.version})`;
    }
  } catch (error) {
    notes.push(`buildInfo: ${reason(error)}`);
  }
  try {
    const hello = await admin.command({ hello: 1 });
    view.topology = hello.msg === "isdbgrid"
      ? "sharded"
      : hello.setName
      ? "replica set"
      : "standalone";
  } catch (error) {
    notes.push(`hello: ${reason(error)}`);
  }
  const names = ["devices", ...READINGS_COLLECTIONS.map((c) => c.name)];
  const counts = await Promise.all(
    names.map((name) =>
      db.collection(name).estimatedDocumentCount().catch((error) => {
        notes.push(`${name} count: ${reason(error)}`);
        return null;
      })
    ),
  );
  view.counts = Object.fromEntries(names.map((name, i) => [name, counts[i]]));
  if (view.topology === "sharded") {
    try {
      const listed = await admin.command({ listShards: 1 });
      view.shards = (listed.shards ?? []).map((
        s: { _id: string; host: string; state?: number },
      ) => ({ id: s._id, host: s.host, state: s.state }));
    } catch (error) {
      notes.push(`listShards: ${reason(error)}`);
    }
  }
  const spreads = await Promise.all(
    READINGS_COLLECTIONS.map(({ name }) => spread(db, name, notes)),
  );
  view.readings = spreads.flat();
  return view;
}

async function spread(db: Db, collection: string, notes: string[]): Promise<SpreadView[]> {
  try {
    const stats = await db.collection(collection).aggregate([
      { $collStats: { storageStats: {} } },
    ]).toArray();
    return stats.map((s) => ({
      collection,
      shard: String(s.shard ?? "(single server)"),
      count: Number(s.storageStats?.count ?? 0),
      sizeBytes: Number(s.storageStats?.size ?? 0),
    })).sort((a, b) => a.shard.localeCompare(b.shard));
  } catch (error) {
    // A collection nothing was written to yet has no stats: nothing to spread.
    if ((error as { code?: number }).code === 26 || /ns not found/i.test(reason(error))) return [];
    notes.push(`${collection} spread ($collStats): ${reason(error)}`);
    return [];
  }
}
