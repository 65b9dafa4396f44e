/**
 * `deno task db:init`: prepares a database for fleetmon, idempotently. Creates the readings
 * collections (main.ts first runs shared/db's `ensureIndexes` for every other index the tiers
 * rely on; readings need only `_id`); against a mongos it also shards the readings
 * collections on `{d: "hashed", _id: 1}` (docs/data.md, "Sharding"). Against a plain server or
 * FerretDB it says so and skips sharding. It talks to the server only through `Commander`, so a
 * test can record the exact commands it sends.
 */
import type { Document } from "mongodb";
import { RAW_COLLECTION, ROLLUP_COLLECTIONS } from "@fleetmon/shared/readings";

/** Runs one database command, as `db.command()` does. */
export interface Commander {
  command(dbName: string, command: Document): Promise<Document>;
}

/** Readings' shard key: one device's documents on one shard, devices spread by hash. */
export const READINGS_SHARD_KEY = { d: "hashed", _id: 1 } as const;
export const SHARDED_COLLECTIONS = [RAW_COLLECTION, ...Object.values(ROLLUP_COLLECTIONS)];

export interface InitReport {
  server: "mongos" | "mongod" | "ferretdb";
  created: string[];
  sharded: string[];
  alreadySharded: string[];
  /** Why sharding was skipped, if it was. */
  skipped?: string;
}

export async function initDatabase(
  commander: Commander,
  dbName: string,
  say: (line: string) => void = () => {},
): Promise<InitReport> {
  const hello = await commander.command("admin", { hello: 1 });
  const info = await commander.command("admin", { buildInfo: 1 });
  const server = typeof info.ferretdbVersion === "string"
    ? "ferretdb"
    : hello.msg === "isdbgrid"
    ? "mongos"
    : "mongod";
  const report: InitReport = { server, created: [], sharded: [], alreadySharded: [] };

  const existing = await commander.command(dbName, { listCollections: 1, nameOnly: true });
  const names = new Set<string>(existing.cursor.firstBatch.map((c: { name: string }) => c.name));
  for (const name of SHARDED_COLLECTIONS) {
    if (names.has(name)) continue;
    await commander.command(dbName, { create: name });
    report.created.push(name);
    say(`created collection ${name}`);
  }

  if (server !== "mongos") {
    report.skipped = `${server === "ferretdb" ? "FerretDB" : "a plain MongoDB server"} is not a ` +
      "mongos: sharding skipped (readings stay in one place; every read is still an _id range)";
    say(report.skipped);
    return report;
  }
  await commander.command("admin", { enableSharding: dbName });
  for (const name of SHARDED_COLLECTIONS) {
    const ns = `${dbName}.${name}`;
    const known = await commander.command("config", { find: "collections", filter: { _id: ns } });
    const current = known.cursor.firstBatch[0]?.key;
    if (current) {
      if (JSON.stringify(current) !== JSON.stringify(READINGS_SHARD_KEY)) {
        throw new Error(
          `Cannot shard ${ns}: it is sharded on ${JSON.stringify(current)} already, not on ` +
            `${JSON.stringify(READINGS_SHARD_KEY)}; a shard key change needs reshardCollection`,
        );
      }
      report.alreadySharded.push(name);
      say(`${ns} is sharded on ${JSON.stringify(current)} already`);
      continue;
    }
    await commander.command(dbName, {
      createIndexes: name,
      indexes: [{ key: READINGS_SHARD_KEY, name: "d_hashed__id" }],
    });
    await commander.command("admin", { shardCollection: ns, key: READINGS_SHARD_KEY });
    report.sharded.push(name);
    say(`sharded ${ns} on ${JSON.stringify(READINGS_SHARD_KEY)}`);
  }
  return report;
}
