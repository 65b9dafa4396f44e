/**
 * The database `deno task start` runs, for the command-line tools on the same machine:
 * the launcher writes `.data/local.json` ({ mongodbUri, lbComm, pid }) once everything is up and
 * removes it when it stops, so `deno task sim` and `deno task device` need no MONGODB_URI then.
 * `FLEETMON_DATA_DIR` moves the folder, for the launcher and the tools alike.
 */

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
