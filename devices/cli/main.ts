/** `deno task device add|list|disable|enable|rotate …`: manages devices in the database. */
import { cliActorOfProcess, connectDatabase, toolDatabaseUri } from "@fleetmon/shared/db";
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
let target: ReturnType<typeof toolDatabaseUri> = { hint: "" };
try {
  target = toolDatabaseUri(parsed.mongodbUri ?? Deno.env.get("MONGODB_URI"), Deno.env.toObject());
} catch (error) {
  fail((error as Error).message, 2);
}
if (!target.uri) fail(`Cannot reach the database: ${target.hint}`, 2);
let database;
try {
  database = await connectDatabase(target.uri!, { appName: "fleetmon-device-cli" });
} catch (error) {
  fail(`Cannot reach the database (${target.hint}): ${(error as Error).message}`, 1);
}
database = database!;
let code = 0;
try {
  await runCommand(database.db, parsed, { out }, { actor: cliActorOfProcess() });
} catch (error) {
  Deno.stderr.writeSync(encoder.encode(`${(error as Error).message}\n`));
  code = 1;
} finally {
  await database.close();
}
Deno.exit(code);
