/** `deno task device add|list|disable|enable|rotate …`: manages devices in the database. */
import { cliActorOfProcess } from "@fleetmon/shared/db";
import { connectToolDatabase, exitWith, out, runTool } from "@fleetmon/shared/db/tool";
import { parseCommand, runCommand, USAGE } from "./commands.ts";

let parsed;
try {
  parsed = parseCommand(Deno.args);
} catch (error) {
  exitWith(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (parsed.command === "help") {
  out(USAGE);
  Deno.exit(0);
}
const database = await connectToolDatabase({
  uri: parsed.mongodbUri,
  appName: "fleetmon-device-cli",
});
await runTool(
  database,
  () => runCommand(database.db, parsed, { out }, { actor: cliActorOfProcess() }),
);
