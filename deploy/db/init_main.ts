/**
 * `deno task db:init` (docs/data.md, "Sharding"): the database operator's tool that prepares a
 * database for fleetmon, idempotently. Standalone (the build bundles it as fleetmon-db-init.js):
 * reads MONGODB_URI (or --uri) and imports nothing of comm or web.
 */
import { ensureIndexes } from "@fleetmon/shared/db";
import { initDatabase } from "./init.ts";
import { out, runTool } from "@fleetmon/shared/db/tool";
import { openToolDatabase } from "./tool_cli.ts";

const USAGE = `Usage: deno task db:init [--uri mongodb://…/fleetmon]

Creates every index and the readings collections; against a mongos, enables sharding and shards
readings_raw, readings_1m and readings_1h on {d: "hashed", _id: 1}. Idempotent: run it on every
deployment. On a plain server or FerretDB it says so and skips sharding.

  --uri    the database (default: $MONGODB_URI; a URI without a database name means "fleetmon";
           MONGODB_PASSWORD_FILE adds the password to mongodb://USER@…)
  --help   this text`;

const database = await openToolDatabase(USAGE, "fleetmon-db-init");
await runTool(database, async () => {
  await ensureIndexes(database.db);
  out("indexes ready");
  const report = await initDatabase(
    { command: (db, command) => database.client.db(db).command(command) },
    database.db.databaseName,
    out,
  );
  out(JSON.stringify(report));
}, "db:init failed: ");
