/**
 * The arguments of the database operator's tools (`db:init`, `db:migrate`): `--uri` and `--help`.
 * Each tool passes its usage text and gets an open database, or the process exits with a clear
 * message (shared/db/tool_cli.ts).
 */
import { parseArgs } from "node:util";
import { connectToolDatabase, err, out, type ToolDatabase } from "@fleetmon/shared/db/tool";

/** Parses `--uri`/`--help` and connects; exits 2 on bad use, 1 if unreachable. */
export function openToolDatabase(usage: string, appName: string): Promise<ToolDatabase> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { uri: { type: "string" }, help: { type: "boolean" } },
    allowPositionals: true,
  });
  if (values.help || positionals.length > 0) {
    (values.help ? out : err)(usage);
    Deno.exit(values.help ? 0 : 2);
  }
  return connectToolDatabase({ uri: values.uri, appName, usage });
}
