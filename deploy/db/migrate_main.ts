/**
 * `deno task db:migrate` (docs/data.md, "Existing data"): moves readings of the old layout
 * (collection "readings", one document per reading) into the new one. Standalone: reads
 * MONGODB_URI (or --uri), with MONGODB_PASSWORD_FILE, and imports nothing of comm or web.
 */
import { parseArgs } from "node:util";
import { connectDatabase, toolDatabaseUri } from "@fleetmon/shared/db";
import { migrateOldLayout, openReadings } from "@fleetmon/shared/readings";

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));

const USAGE = `Usage: deno task db:migrate [--uri mongodb://…/fleetmon]

Moves readings of the old layout (collection "readings", one document per reading) into the new
one, builds their rollups, then drops the old collection. Stop comm and web nodes first. Safe to
run again after an interruption.

  --uri    the database (default: $MONGODB_URI; a URI without a database name means "fleetmon";
           MONGODB_PASSWORD_FILE adds the password to mongodb://USER@…)
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
// MONGODB_PASSWORD_FILE (or the systemd credential) adds the operator's password, as for db:init.
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
const database = await connectDatabase(target.uri, { appName: "fleetmon-db-migrate" });
try {
  const readings = await openReadings(database.db, { node: "db-migrate" });
  const result = await migrateOldLayout(database.db, readings, (read) => {
    out(`migrated ${read.toLocaleString("en-US")} readings`);
  });
  out(JSON.stringify(result));
} catch (error) {
  err(`db:migrate failed: ${(error as Error).message}`);
  Deno.exitCode = 1;
} finally {
  await database.close();
}
