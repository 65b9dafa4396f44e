/** `deno task user …` (see cli.ts). Exit codes: 0 done, 1 the change failed, 2 bad usage. */
import { cliActorOfProcess } from "@fleetmon/shared/db";
import { connectToolDatabase, exitWith, out, runTool } from "@fleetmon/shared/db/tool";
import { parseUserCommand, runUserCommand, USAGE, type UserCommand } from "./cli.ts";

let command: UserCommand;
try {
  command = parseUserCommand(Deno.args);
} catch (error) {
  exitWith(`${(error as Error).message}\n\n${USAGE}`, 2);
}
if (command.command === "help") {
  out(USAGE);
  Deno.exit(0);
}

async function readPassword(): Promise<string> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(4096);
  for (let total = 0; total < 4096;) {
    const n = await Deno.stdin.read(buffer);
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    total += n;
    if (buffer.subarray(0, n).includes(10)) break;
  }
  const text = new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c])));
  return text.split(/\r?\n/)[0];
}

const database = await connectToolDatabase({
  uri: command.mongodbUri,
  appName: "fleetmon-user-cli",
});
await runTool(
  database,
  () => runUserCommand(database.db, command, { out, readPassword }, { actor: cliActorOfProcess() }),
);
