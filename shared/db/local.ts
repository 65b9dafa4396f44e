/**
 * The database `deno task start` runs, for the command-line tools on the same machine:
 * the launcher writes `.data/local.json` ({ mongodbUri, lbComm, pid }) once everything is up and
 * removes it when it stops, so `deno task sim` and `deno task device` need no MONGODB_URI then.
 * `FLEETMON_DATA_DIR` moves the folder, for the launcher and the tools alike.
 */
import { mongodbUriWithPassword } from "./credentials.ts";

export interface LocalTopology {
  mongodbUri: string;
  lbComm: string;
  pid: number;
  /** Where it was read from. */
  file?: string;
}

/** `$FLEETMON_DATA_DIR/local.json`, else the repository's .data/local.json. */
export function localTopologyFile(env: Record<string, string | undefined>): string | URL {
  return env.FLEETMON_DATA_DIR
    ? `${env.FLEETMON_DATA_DIR}/local.json`
    : new URL("../../.data/local.json", import.meta.url);
}

/**
 * The running launcher's topology, or undefined when there is none. A launcher killed with
 * SIGKILL leaves its file behind; connecting then fails, and the tools say where the URI came
 * from. (Deno lets only --allow-all read /proc, so the pid is not checked here.)
 */
export function localTopology(
  env: Record<string, string | undefined>,
): LocalTopology | undefined {
  const file = localTopologyFile(env);
  let parsed: Partial<LocalTopology>;
  try {
    parsed = JSON.parse(Deno.readTextFileSync(file));
  } catch {
    return undefined;
  }
  if (typeof parsed.mongodbUri !== "string" || typeof parsed.lbComm !== "string") return undefined;
  return { ...parsed, file: String(file) } as LocalTopology;
}

/**
 * The database an operator tool (`deno task device`, `deno task user`) uses: `given` (its
 * --mongodb-uri, else MONGODB_URI), else the running `deno task start`'s; with the password from
 * MONGODB_PASSWORD_FILE or the systemd credential. `uri` is undefined when there is none;
 * `hint` says where a URI that cannot be reached came from.
 */
export function toolDatabaseUri(
  given: string | undefined,
  env: Record<string, string | undefined>,
): { uri?: string; hint: string } {
  const local = given ? undefined : localTopology(env);
  const uri = given ?? local?.mongodbUri;
  if (!uri) {
    return {
      hint: "set MONGODB_URI or pass --mongodb-uri (or run deno task start on this machine)",
    };
  }
  return {
    uri: mongodbUriWithPassword("tool", uri, env),
    hint: local ? `${uri}, from ${local.file}: is deno task start still running?` : uri,
  };
}
