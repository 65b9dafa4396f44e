/** `deno task device add|list|disable|enable|rotate …`: manages devices in the database. */
import { connectDatabase, localTopology, mongodbUriWithPassword } from "@fleetmon/shared/db";
import { parseCommand, runCommand, USAGE } from "./commands.ts";

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
const fail = (message: string, code: number): never => {
  Deno.stderr.writeSync(encoder.encode(message + "\n"));
  Deno.exit(code);
};

let parsed;
try {
  parsed = parseCommand(Deno.args);
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
parsed = parsed!;
if (parsed.command === "help") {
  out(USAGE);
  Deno.exit(0);
}
// Without a URI: the database of the `deno task start` running on this machine, if one is.
const given = parsed.mongodbUri ?? Deno.env.get("MONGODB_URI");
const local = given ? undefined : localTopology(Deno.env.toObject());
const uri = given ?? local?.mongodbUri;
if (!uri) {
  fail(
    "Cannot reach the database: set MONGODB_URI or pass --mongodb-uri (or run deno task start)",
    2,
  );
}
let database;
try {
  database = await connectDatabase(mongodbUriWithPassword("device", uri!, Deno.env.toObject()), {
    appName: "fleetmon-device-cli",
  });
} catch (error) {
  const from = local ? ` (${uri}, from ${local.file}: is deno task start still running?)` : "";
  fail(`Cannot reach the database${from}: ${(error as Error).message}`, 1);
}
database = database!;
let code = 0;
try {
  await runCommand(database.db, parsed, { out });
} catch (error) {
  Deno.stderr.writeSync(encoder.encode(`${(error as Error).message}\n`));
  code = 1;
} finally {
  await database.close();
}
Deno.exit(code);
