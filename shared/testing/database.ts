/**
 * A fresh database for one test: on the server named by FLEETMON_TEST_MONGODB_URI (set by
 * `deno task test`, or pointed at a real MongoDB), otherwise on a FerretDB started for the test.
 * The database is dropped afterwards.
 */
import type { Db, MongoClient } from "mongodb";
import { connectDatabase } from "../db/client.ts";
import { ensureIndexes } from "../db/collections.ts";
import { locateFerretDB, type RunningDatabase, startFerretDB } from "../db/ferretdb.ts";
import { freePort } from "../socket.ts";
import { createLogger } from "../log.ts";

export interface TestDatabase {
  /** A URI naming this test's own database. */
  uri: string;
  db: Db;
  client: MongoClient;
  [Symbol.asyncDispose](): Promise<void>;
}

const quiet = createLogger({ service: "test-db", level: "warn" });

export async function openTestDatabase(): Promise<TestDatabase> {
  let server: RunningDatabase | undefined;
  let base = Deno.env.get("FLEETMON_TEST_MONGODB_URI");
  if (!base) {
    const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-test-db-" });
    server = await startFerretDB({
      bin: await locateFerretDB(quiet),
      dataDir,
      port: freePort(),
      logger: quiet,
    });
    base = server.uri;
  }
  const name = `test_${crypto.randomUUID().slice(0, 8)}`;
  const uri = base.replace(/\/?(\?|$)/, `/${name}$1`);
  const { client, db } = await connectDatabase(uri, { appName: "fleetmon-test" });
  await ensureIndexes(db);
  return {
    uri,
    db,
    client,
    async [Symbol.asyncDispose]() {
      await db.dropDatabase().catch(() => {});
      await client.close();
      await server?.stop();
    },
  };
}
