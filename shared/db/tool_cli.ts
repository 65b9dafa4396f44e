/**
 * The edge shared by the command-line tools that work on the database (`deno task device`,
 * `deno task user`, `db:init`, `db:migrate`): where the database is (the tool's URI flag, else
 * MONGODB_URI, else the running `deno task start`'s; MONGODB_PASSWORD_FILE adds the password), the
 * connection, and how a failure ends the process. Exit codes: 0 done, 1 failed, 2 bad usage.
 */
import { connectDatabase } from "./client.ts";
import { toolDatabaseUri } from "./local.ts";

const encoder = new TextEncoder();
export const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
export const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));

/** Says what is wrong on stderr and ends the process with `code`. */
export function exitWith(message: string, code: number): never {
  err(message);
  Deno.exit(code);
}

export type ToolDatabase = Awaited<ReturnType<typeof connectDatabase>>;

/**
 * Resolves the database from `uri` (the tool's flag, if given) and connects. Exits 2 when there is
 * no database to use (with `usage` after the message, if given), 1 when it cannot be reached.
 */
export async function connectToolDatabase(
  options: { uri: string | undefined; appName: string; usage?: string },
): Promise<ToolDatabase> {
  let target: ReturnType<typeof toolDatabaseUri> = { hint: "" };
  try {
    target = toolDatabaseUri(options.uri ?? Deno.env.get("MONGODB_URI"), Deno.env.toObject());
  } catch (error) {
    exitWith((error as Error).message, 2);
  }
  if (!target.uri) {
    exitWith(`Cannot connect: ${target.hint}${options.usage ? `\n\n${options.usage}` : ""}`, 2);
  }
  try {
    return await connectDatabase(target.uri, { appName: options.appName });
  } catch (error) {
    exitWith(`Cannot connect (${target.hint}): ${(error as Error).message}`, 1);
  }
}

/**
 * Runs a tool's work on the database and closes it; a failure is reported on stderr (after
 * `failurePrefix`, e.g. "db:init failed: ") and makes the exit code 1.
 */
export async function runTool(
  database: ToolDatabase,
  work: () => Promise<void>,
  failurePrefix = "",
): Promise<void> {
  try {
    await work();
  } catch (error) {
    err(`${failurePrefix}${(error as Error).message}`);
    Deno.exitCode = 1;
  } finally {
    await database.close();
  }
}
