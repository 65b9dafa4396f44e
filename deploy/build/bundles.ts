/**
 * What gets bundled: one JavaScript file per tier (and web's password Worker), and one per
 * operator tool, each tool taken from its `deno task` in deno.json so a new tool only needs its
 * task. `deno bundle` inlines every npm package: a bundle runs with `deno run` and nothing else.
 */
import { createLogger, type Logger } from "@fleetmon/shared/log";

export interface BundleEntry {
  /** The output file in dist/: `fleetmon-<name>.js`. */
  name: string;
  /** The entry module, relative to the repository root. */
  entry: string;
  kind: "tier" | "worker" | "tool";
}

/**
 * web/login/password_hasher.ts looks for its Worker beside the bundle as fleetmon-web-argon2.js,
 * lb/data_plane.ts for its data plane's Worker as fleetmon-lb-data-plane.js.
 */
export const TIER_ENTRIES: readonly BundleEntry[] = [
  { name: "comm", entry: "comm/main.ts", kind: "tier" },
  { name: "web", entry: "web/main.ts", kind: "tier" },
  { name: "web-argon2", entry: "web/login/argon2_worker.ts", kind: "worker" },
  { name: "lb", entry: "lb/main.ts", kind: "tier" },
  { name: "lb-data-plane", entry: "lb/data_plane_worker.ts", kind: "worker" },
];

/** The operator tools an admin host runs: `deno task <task>` → `fleetmon-<name>.js`. */
export const TOOL_TASKS: readonly { task: string; name: string }[] = [
  { task: "db:init", name: "db-init" },
  { task: "user", name: "user" },
  { task: "device", name: "device" },
];

/**
 * The tool entries whose task deno.json has (a tool whose issue has not landed yet is listed in
 * `missing`), each task's script being its last `.ts` word.
 */
export function toolEntries(tasks: Record<string, string>): {
  entries: BundleEntry[];
  missing: string[];
} {
  const entries: BundleEntry[] = [];
  const missing: string[] = [];
  for (const { task, name } of TOOL_TASKS) {
    const script = tasks[task]?.split(/\s+/).findLast((word) => word.endsWith(".ts"));
    if (script) entries.push({ name, entry: script, kind: "tool" });
    else missing.push(task);
  }
  return { entries, missing };
}

export const ROOT = new URL("../..", import.meta.url).pathname;

export function readTasks(): Record<string, string> {
  return JSON.parse(Deno.readTextFileSync(`${ROOT}deno.json`)).tasks;
}

/** Bundles each entry into `distDir/fleetmon-<name>.js`; throws naming the one that failed. */
export async function bundleAll(
  entries: readonly BundleEntry[],
  distDir: string,
  logger: Logger,
): Promise<void> {
  await Deno.mkdir(distDir, { recursive: true });
  for (const { name, entry } of entries) {
    const output = `${distDir}/fleetmon-${name}.js`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["bundle", "--platform=deno", "-o", output, `${ROOT}${entry}`],
      stdout: "null",
    }).output();
    if (!success) {
      throw new Error(
        `Cannot bundle ${entry}: ${new TextDecoder().decode(stderr).trim().slice(-500)}`,
      );
    }
    logger.info("bundled", { name, entry, output, bytes: (await Deno.stat(output)).size });
  }
}

/** `deno task bundle`: the tiers and the tools, flat in dist/. */
if (import.meta.main) {
  const logger = createLogger({ service: "bundle" });
  const tools = toolEntries(readTasks());
  try {
    await bundleAll([...TIER_ENTRIES, ...tools.entries], `${ROOT}dist`, logger);
  } catch (error) {
    logger.error((error as Error).message);
    Deno.exit(1);
  }
}
