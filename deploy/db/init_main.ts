/**
 * `deno task db:init` (docs/data.md, "Sharding"): the database operator's tool that prepares a
 * database for fleetmon, idempotently. Standalone (the build bundles it as fleetmon-db-init.js):
 * reads MONGODB_URI (or --uri) and imports nothing of comm or web.
 */
import { parseArgs } from "node:util";
import { connectDatabase, ensureIndexes, toolDatabaseUri } from "@fleetmon/shared/db";
import { initDatabase } from "./init.ts";

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));

const USAGE = `Usage: deno task db:init [--uri mongodb://…/fleetmon]

Creates every index and the readings collections; against a mongos, enables sharding and shards
readings_raw, readings_1m and readings_1h on {d: "hashed", _id: 1}. Idempotent: run it on every
deployment. On a plain server or FerretDB it says so and skips sharding.

  --uri    the database (default: $MONGODB_URI; a URI without a database name means "fleetmon")
  --help   this text`;

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { uri: { type: "string" }, help: { type: "boolean" } },
  allowPositionals: true,
});
if (values.help || positionals.length > 0) {
  (values.help ? out : err)(USAGE);
  Deno.exit(values.help ? 0 : 2);
}
// MONGODB_PASSWORD_FILE (or the systemd credential) adds the operator's password to the URI.
let target: ReturnType<typeof toolDatabaseUri> = { hint: "" };
try {
  target = toolDatabaseUri(values.uri ?? Deno.env.get("MONGODB_URI"), Deno.env.toObject());
} catch (error) {
  err((error as Error).message);
  Deno.exit(2);
}
if (!target.uri) {
  err(`Cannot connect: ${target.hint}\n\n` + USAGE);
  Deno.exit(2);
}
let database;
try {
  database = await connectDatabase(target.uri, { appName: "fleetmon-db-init" });
} catch (error) {
  err(`Cannot connect (${target.hint}): ${(error as Error).message}`);
  Deno.exit(1);
}
try {
  await ensureIndexes(database.db);
  out("indexes ready");
  const report = await initDatabase(
    { command: (db, command) => database.client.db(db).command(command) },
    database.db.databaseName,
    out,
  );
  out(JSON.stringify(report));
} catch (error) {
  err(`db:init failed: ${(error as Error).message}`);
  Deno.exitCode = 1;
} finally {
  await database.close();
}
