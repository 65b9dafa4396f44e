/** `deno task user …` (see cli.ts). Exit codes: 0 done, 1 the change failed, 2 bad usage. */
import { cliActorOfProcess, connectDatabase, toolDatabaseUri } from "@fleetmon/shared/db";
import { parseUserCommand, runUserCommand, USAGE, type UserCommand } from "./cli.ts";

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
const fail = (message: string, code: number): never => {
  Deno.stderr.writeSync(encoder.encode(message + "\n"));
  Deno.exit(code);
};

let command: UserCommand;
try {
  command = parseUserCommand(Deno.args);
} catch (error) {
  fail(`${(error as Error).message}\n\n${USAGE}`, 2);
}
command = command!;
if (command.command === "help") {
  out(USAGE);
  Deno.exit(0);
}
// --mongodb-uri, MONGODB_URI, else the running `deno task start`'s; MONGODB_PASSWORD_FILE or the
// systemd credential adds the password (shared/db/local.ts).
let target: ReturnType<typeof toolDatabaseUri> = { hint: "" };
try {
  target = toolDatabaseUri(command.mongodbUri ?? Deno.env.get("MONGODB_URI"), Deno.env.toObject());
} catch (error) {
  fail((error as Error).message, 2);
}
if (!target.uri) fail(`Cannot reach the database: ${target.hint}`, 2);

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

let database;
try {
  database = await connectDatabase(target.uri!, { appName: "fleetmon-user-cli" });
} catch (error) {
  fail(`Cannot reach the database (${target.hint}): ${(error as Error).message}`, 1);
}
database = database!;
let code = 0;
try {
  await runUserCommand(database.db, command, { out, readPassword }, { actor: cliActorOfProcess() });
} catch (error) {
  Deno.stderr.writeSync(encoder.encode(`${(error as Error).message}\n`));
  code = 1;
} finally {
  await database.close();
}
Deno.exit(code);
