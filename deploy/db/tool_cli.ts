/**
 * The edge shared by the database operator's tools (`db:init`, `db:migrate`): their arguments,
 * the database URI (--uri or MONGODB_URI, with MONGODB_PASSWORD_FILE) and the connection. Each
 * tool passes its usage text and gets an open database, or the process exits with a clear message.
 */
import { parseArgs } from "node:util";
import { connectDatabase, toolDatabaseUri } from "@fleetmon/shared/db";

const encoder = new TextEncoder();
export const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
export const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));

export type ToolDatabase = Awaited<ReturnType<typeof connectDatabase>>;

/** Parses `--uri`/`--help`, resolves the URI and connects; exits 2 on bad use, 1 if unreachable. */
export async function openToolDatabase(usage: string, appName: string): Promise<ToolDatabase> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { uri: { type: "string" }, help: { type: "boolean" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length > 0) {
    (values.help ? out : err)(usage);
    Deno.exit(values.help ? 0 : 2);
  }
  let target: ReturnType<typeof toolDatabaseUri> = { hint: "" };
  try {
    target = toolDatabaseUri(values.uri ?? Deno.env.get("MONGODB_URI"), Deno.env.toObject());
  } catch (error) {
    err((error as Error).message);
    Deno.exit(2);
  }
  if (!target.uri) {
    err(`Cannot connect: ${target.hint}\n\n` + usage);
    Deno.exit(2);
  }
  try {
    return await connectDatabase(target.uri, { appName });
  } catch (error) {
    err(`Cannot connect (${target.hint}): ${(error as Error).message}`);
    Deno.exit(1);
  }
}

/** Runs a tool's work on the database, reports a failure as `<tool> failed: …` and closes. */
export async function runTool(
  name: string,
  database: ToolDatabase,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    err(`${name} failed: ${(error as Error).message}`);
    Deno.exitCode = 1;
  } finally {
    await database.close();
  }
}
