/**
 * A fresh database for one test, on the server named by FLEETMON_TEST_MONGODB_URI: the FerretDB
 * that `deno task test` starts for the run, or a real MongoDB. The database is dropped afterwards.
 */
import type { Db, MongoClient } from "mongodb";
import { connectDatabase } from "../db/client.ts";
import { ensureIndexes } from "../db/collections.ts";

export interface TestDatabase {
  /** A URI naming this test's own database. */
  uri: string;
  db: Db;
  client: MongoClient;
  [Symbol.asyncDispose](): Promise<void>;
}

/** The server the tests use; fails with how to run them when none is set. */
export function testServerUri(): string {
  const uri = Deno.env.get("FLEETMON_TEST_MONGODB_URI");
  if (!uri) {
    throw new Error(
      "Cannot open a test database: FLEETMON_TEST_MONGODB_URI is not set. Run the tests with " +
        "`deno task test [paths or deno test flags…]`, which starts FerretDB and sets it, or set " +
        "it to a MongoDB server's URI",
    );
  }
  return uri;
}

/** Whether the tests' server is the FerretDB `deno task test` started (else a MongoDB, say). */
export function testServerIsFerretDB(): boolean {
  return Deno.env.get("FLEETMON_TEST_FERRETDB") === "1";
}

export async function openTestDatabase(prefix = "test"): Promise<TestDatabase> {
  const name = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  const uri = testServerUri().replace(/\/?(\?|$)/, `/${name}$1`);
  const { client, db } = await connectDatabase(uri, { appName: "fleetmon-test" });
  await ensureIndexes(db);
  return {
    uri,
    db,
    client,
    async [Symbol.asyncDispose]() {
      await db.dropDatabase().catch(() => {});
      await client.close();
    },
  };
}
