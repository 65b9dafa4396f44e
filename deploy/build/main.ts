/**
 * `deno task build`: everything the nine VMs (and the admin host) need, in dist/.
 *
 * - dist/fleetmon-<tier|tool>.js: one bundle per tier and per operator tool (deploy/build/bundles.ts)
 * - dist/bin/fleetmon-<tier>: a binary per tier, where `deno compile` can fetch Deno's runtime
 * - dist/<vm>/: each VM's files at the paths they take on the VM (deploy/build/vm_trees.ts)
 * - dist/build.json: what was made, and why a part was not
 *
 * The last stdout line is a JSON summary; the same text is written to dist/build.json.
 */
import { parseArgs } from "node:util";
import { createLogger } from "@fleetmon/shared/log";
import { bundleAll, readTasks, ROOT, TIER_ENTRIES, toolEntries } from "./bundles.ts";
import { compileTiers } from "./compile.ts";
import { allTrees, type TreeFile } from "./vm_trees.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "dist-dir": { type: "string", default: `${ROOT}dist` },
    "no-compile": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (values.help) {
  console.log(`deno task build: every deployment artifact, in dist/ (docs/deploy.md).

Usage: deno task build [--dist-dir DIR] [--no-compile]

  dist/fleetmon-*.js   a bundle per tier and per operator tool (run with deno run)
  dist/bin/            a binary per tier, where deno compile can download Deno's runtime
  dist/<vm>/           each VM's files at their paths on the VM (lb-comm, lb-web, cs0, cs1,
                       ws0, ws1, db0, db1, db2, admin); copy to the VM's / and run
                       /opt/fleetmon/install.sh
  dist/build.json      what was made, and why anything was not`);
  Deno.exit(0);
}
const logger = createLogger({ service: "build" });
const distDir = values["dist-dir"]!.replace(/\/+$/, "");

try {
  const tools = toolEntries(readTasks());
  for (const task of tools.missing) {
    logger.warn("operator tool not built: this tree has no such deno task", { task });
  }
  await bundleAll([...TIER_ENTRIES, ...tools.entries], distDir, logger);
  const compiled = values["no-compile"]
    ? { made: false as const, reason: "skipped: --no-compile" }
    : await compileTiers(TIER_ENTRIES.filter((e) => e.kind === "tier"), distDir, logger);
  if (!compiled.made) {
    logger.warn("no binaries: the bundles are the artifacts (run with deno run)", {
      reason: compiled.reason,
    });
  }
  const toolNames = tools.entries.map((e) => e.name);
  const vms: Record<string, string[]> = {};
  for (const { vm, files } of allTrees(toolNames)) {
    await Deno.remove(`${distDir}/${vm.name}`, { recursive: true }).catch(() => {});
    for (const file of files) await place(file, `${distDir}/${vm.name}`);
    vms[vm.name] = files.map((f) => f.to);
  }
  const summary = {
    msg: "build done",
    distDir,
    bundles: [...TIER_ENTRIES, ...tools.entries].map((e) => `fleetmon-${e.name}.js`),
    toolsMissing: tools.missing,
    binaries: compiled.made ? compiled.binaries : [],
    binariesNotMade: compiled.made ? undefined : compiled.reason,
    vms,
  };
  await Deno.writeTextFile(`${distDir}/build.json`, JSON.stringify(summary, null, 2) + "\n");
  console.log(
    compiled.made
      ? `Built bundles and binaries in ${distDir}.`
      : `Built bundles in ${distDir}; no binaries: ${compiled.reason}.`,
  );
  console.log(JSON.stringify(summary));
} catch (error) {
  logger.error("Cannot build", { error: (error as Error).message });
  Deno.exit(1);
}

async function place(file: TreeFile, vmDir: string): Promise<void> {
  const [kind, path] = [
    file.from.slice(0, file.from.indexOf(":")),
    file.from.slice(file.from.indexOf(":") + 1),
  ];
  const source = kind === "dist" ? `${distDir}/${path}` : `${ROOT}${path}`;
  const target = `${vmDir}${file.to}`;
  await Deno.mkdir(target.slice(0, target.lastIndexOf("/")), { recursive: true });
  await Deno.copyFile(source, target);
  if (file.mode !== undefined) await Deno.chmod(target, file.mode);
}
