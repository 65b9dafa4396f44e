/**
 * What the cluster page says about the database: server and version, whether it is a mongos
 * (sharded MongoDB) with its shards and how the readings are spread over them (`$collStats`, one
 * answer per shard), or a single server (FerretDB here). Each part that the server cannot answer is
 * left out with the reason, never an error for the whole page.
 */
import type { Db } from "mongodb";

export interface ShardView {
  id: string;
  host: string;
  state?: number;
}

export interface SpreadView {
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
  /** Readings by shard (sharded) or one row for the whole server. */
  readings: SpreadView[];
  counts: { devices: number | null; readings: number | null };
  notes: string[];
}

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
    counts: { devices: null, readings: null },
    notes,
  };
  try {
    const info = await admin.command({ buildInfo: 1 });
    view.version = String(info.version ?? "");
    if (info.ferretdb || /ferret/i.test(JSON.stringify(info).slice(0, 2000))) {
      view.server = "FerretDB";
      if (info.ferretdb?.version) {
        view.version = `${info.ferretdb.version} (MongoDB ${info.version})`;
      }
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
  const [devices, readings] = await Promise.all(
    ["devices", "readings"].map((name) =>
      db.collection(name).estimatedDocumentCount().catch((error) => {
        notes.push(`${name} count: ${reason(error)}`);
        return null;
      })
    ),
  );
  view.counts = { devices, readings };
  if (view.topology === "sharded") {
    try {
      const listed = await admin.command({ listShards: 1 });
      view.shards = (listed.shards ?? []).map((
        s: { _id: string; host: string; state?: number },
      ) => ({
        id: s._id,
        host: s.host,
        state: s.state,
      }));
    } catch (error) {
      notes.push(`listShards: ${reason(error)}`);
    }
  }
  try {
    const stats = await db.collection("readings").aggregate([
      { $collStats: { storageStats: {} } },
    ]).toArray();
    view.readings = stats.map((s) => ({
      shard: String(s.shard ?? "(single server)"),
      count: Number(s.storageStats?.count ?? 0),
      sizeBytes: Number(s.storageStats?.size ?? 0),
    }));
  } catch (error) {
    notes.push(`readings spread ($collStats): ${reason(error)}`);
  }
  return view;
}
