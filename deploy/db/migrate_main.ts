/**
 * `deno task db:migrate` (docs/data.md, "Existing data"): moves readings of the old layout
 * (collection "readings", one document per reading) into the new one. Standalone: reads
 * MONGODB_URI (or --uri), with MONGODB_PASSWORD_FILE, and imports nothing of comm or web.
 */
import { migrateOldLayout, openReadings } from "@fleetmon/shared/readings";
import { out, runTool } from "@fleetmon/shared/db/tool";
import { openToolDatabase } from "./tool_cli.ts";

const USAGE = `Usage: deno task db:migrate [--uri mongodb://…/fleetmon]

Moves readings of the old layout (collection "readings", one document per reading) into the new
one, builds their rollups, then drops the old collection. Stop comm and web nodes first. Safe to
run again after an interruption.

  --uri    the database (default: $MONGODB_URI; a URI without a database name means "fleetmon";
           MONGODB_PASSWORD_FILE adds the password to mongodb://USER@…)
  --help   this text`;

const database = await openToolDatabase(USAGE, "fleetmon-db-migrate");
await runTool(database, async () => {
  const readings = await openReadings(database.db, { node: "db-migrate" });
  const result = await migrateOldLayout(database.db, readings, (read) => {
    out(`migrated ${read.toLocaleString("en-US")} readings`);
  });
  out(JSON.stringify(result));
}, "db:migrate failed: ");
