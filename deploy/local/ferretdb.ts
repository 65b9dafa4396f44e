/**
 * The embedded default database: FerretDB 1.24.2 with its SQLite backend, on loopback.
 * Found as $FERRETDB_BIN or in the project's ignored .cache/bin; else built with Go from the Go
 * module proxy (with the fixes in `fixIdLookups` and `ferretdb_id_pushdown.patch`); else a stock
 * binary on PATH; else downloaded from FerretDB's GitHub releases.
 */
import type { Logger } from "@fleetmon/shared/log";

export const FERRETDB_VERSION = "v1.24.2";
/**
 * What our build reports as its version: upstream's, plus the fix in `fixIdLookups` (.1) and
 * `ferretdb_id_pushdown.patch` (.2: `_id` ranges, `_id` sorts and their limits use the index).
 */
export const FERRETDB_BUILD = `${FERRETDB_VERSION}-fleetmon.2`;
const PUSHDOWN_PATCH = new URL("./ferretdb_id_pushdown.patch", import.meta.url).pathname;
const MODULE = "github.com/FerretDB/FerretDB";
const CACHE_BIN = new URL("../../.cache/bin/", import.meta.url).pathname;
const RELEASE_URL =
  `https://github.com/FerretDB/FerretDB/releases/download/${FERRETDB_VERSION}/ferretdb-linux-amd64`;

export async function locateFerretDB(logger: Logger): Promise<string> {
  /** Whether `path` is FerretDB 1.24; a stock build works, with a warning. */
  const usable = async (path: string) => {
    const version = await ferretdbVersion(path);
    // An older build of ours is replaced by building this one, not used.
    if (version?.includes("-fleetmon.") && version !== FERRETDB_BUILD) return false;
    if (version && version !== FERRETDB_BUILD) {
      logger.warn(
        "this FerretDB scans whole collections for _id ranges, so reading history is slow; `deno task setup` builds one that uses the _id index (needs Go)",
        { bin: path, version },
      );
    }
    return version !== undefined;
  };
  const chosen = Deno.env.get("FERRETDB_BIN");
  if (chosen && await usable(chosen)) return chosen;
  if (await ferretdbVersion(CACHE_BIN + "ferretdb") === FERRETDB_BUILD) {
    return CACHE_BIN + "ferretdb";
  }
  const failures: string[] = [];
  const onPath = async () => {
    const path = await which("ferretdb");
    if (!path) throw new Error("no ferretdb on PATH");
    return path;
  };
  for (const install of [buildWithGo, onPath, downloadRelease]) {
    try {
      logger.info("looking for FerretDB", { how: install.name, cache: CACHE_BIN });
      const path = await install();
      if (await usable(path)) return path;
      failures.push(`${install.name}: ${path} is not FerretDB ${FERRETDB_VERSION}`);
    } catch (error) {
      failures.push(`${install.name}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `Cannot find FerretDB ${FERRETDB_VERSION}. Do one of these:\n` +
      `  1. install Go, so it can be built from the Go module proxy into .cache/bin;\n` +
      `  2. put a ferretdb binary on PATH or set FERRETDB_BIN to it;\n` +
      `  3. allow downloads from ${RELEASE_URL};\n` +
      `  or set MONGODB_URI to a running MongoDB.\nWhat was tried:\n  - ${failures.join("\n  - ")}`,
  );
}

/** The version a FerretDB 1.24 binary reports, or undefined when `path` is not one. */
async function ferretdbVersion(path: string): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command(path, { args: ["--version"] }).output();
    const version = /^version: (v1\.24\S*)$/m.exec(new TextDecoder().decode(stdout))?.[1];
    return success ? version : undefined;
  } catch {
    return undefined; // not there or not executable: try the next way
  }
}

async function which(name: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const path = `${dir}/${name}`;
    if (await Deno.stat(path).then((s) => s.isFile, () => false)) return path;
  }
  return undefined;
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const output = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
    throw new Error(`${cmd} ${args[0]} failed: ${stderr}`);
  }
  return text;
}

/**
 * `go install MODULE/cmd/ferretdb@v1.24.2` builds a binary that panics at start-up: the module
 * lacks the generated build/version/version.txt. So: fetch the module, add that file (with our
 * build's version), fix `_id` lookups, apply `ferretdb_id_pushdown.patch`, build.
 *
 * The patch (docs/data.md): upstream's SQLite backend uses the `_id` index only for a filter that
 * is exactly `{_id: value}`. Patched, it also answers `_id` compared with strings by $gt, $gte,
 * $lt, $lte, $eq — alone or beside other conditions, which the handler still applies — from the
 * index, and when the filter is only that, pushes down a sort on `_id` and the limit too. So one
 * device's chunks in a time range (`_id` ordered by device, then time) are an index range scan.
 */
async function buildWithGo(): Promise<string> {
  const info = JSON.parse(
    await run("go", ["mod", "download", "-json", `${MODULE}@${FERRETDB_VERSION}`]),
  );
  const work = await Deno.makeTempDir({ prefix: "ferretdb-src-" });
  try {
    await run("cp", ["-r", `${info.Dir}/.`, work]);
    await run("chmod", ["-R", "u+w", work]);
    await Deno.writeTextFile(`${work}/build/version/version.txt`, FERRETDB_BUILD + "\n");
    await fixIdLookups(work);
    await run("git", ["apply", "--whitespace=nowarn", PUSHDOWN_PATCH], work);
    await Deno.mkdir(CACHE_BIN, { recursive: true });
    await run(
      "go",
      ["build", "-buildvcs=false", "-o", CACHE_BIN + "ferretdb", "./cmd/ferretdb"],
      work,
    );
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return CACHE_BIN + "ferretdb";
}

/**
 * FerretDB 1.24.2's SQLite backend indexes `_id` as `_ferretdb_sjson->"_id"` but looks it up as
 * `_ferretdb_sjson->'$._id'`. SQLite reads both as the same JSON value, yet matches indexes by
 * expression, so every lookup, update and delete by `_id` scanned the whole table (55 ms per
 * update among 10,000 devices, measured). Writing the lookup like the index makes them use it.
 */
async function fixIdLookups(moduleDir: string): Promise<void> {
  const file = `${moduleDir}/internal/backends/sqlite/metadata/metadata.go`;
  const source = await Deno.readTextFile(file);
  const lookup = `IDColumn = DefaultColumn + "->'$._id'"`;
  if (!source.includes(lookup)) throw new Error(`cannot apply the _id fix: ${file} changed`);
  await Deno.writeTextFile(file, source.replace(lookup, `IDColumn = DefaultColumn + "->'_id'"`));
}

async function downloadRelease(): Promise<string> {
  const response = await fetch(RELEASE_URL, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`download got HTTP ${response.status}`);
  await Deno.mkdir(CACHE_BIN, { recursive: true });
  await Deno.writeFile(CACHE_BIN + "ferretdb", new Uint8Array(await response.arrayBuffer()), {
    mode: 0o755,
  });
  return CACHE_BIN + "ferretdb";
}

export interface FerretDBOptions {
  bin: string;
  dataDir: string;
  port: number;
  hostname?: string;
}

/** FerretDB's command line: SQLite backend, loopback only, no telemetry, debug port out of the way. */
export function ferretdbArgs(options: FerretDBOptions): string[] {
  return [
    "--handler=sqlite",
    `--sqlite-url=file:${options.dataDir.replace(/\/?$/, "/")}`,
    `--listen-addr=${options.hostname ?? "127.0.0.1"}:${options.port}`,
    "--debug-addr=127.0.0.1:0",
    `--state-dir=${options.dataDir}`,
    "--telemetry=disable",
    "--log-level=error",
    "--log-format=json",
  ];
}

export interface RunningDatabase {
  uri: string;
  /** FerretDB's process id (setsid execs it, so this is FerretDB itself). */
  pid: number;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts FerretDB and resolves once it accepts connections. */
export async function startFerretDB(
  options: FerretDBOptions & { logger: Logger },
): Promise<RunningDatabase> {
  await Deno.mkdir(options.dataDir, { recursive: true });
  // In a session of its own (setsid): a terminal's Ctrl-C must not stop the database before the
  // services that use it have finished with it; whoever started it stops it last.
  const child = new Deno.Command("setsid", {
    args: [options.bin, ...ferretdbArgs(options)],
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const hostname = options.hostname ?? "127.0.0.1";
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already exited
    }
    await child.status;
  };
  try {
    await waitForPort(hostname, options.port, child.status, 15_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const uri = `mongodb://${hostname}:${options.port}/`;
  options.logger.info("database ready", {
    uri,
    engine: `ferretdb ${FERRETDB_VERSION} sqlite`,
    pid: child.pid,
  });
  return { uri, pid: child.pid, stop, [Symbol.asyncDispose]: stop };
}

async function waitForPort(
  hostname: string,
  port: number,
  exited: Promise<Deno.CommandStatus>,
  timeoutMs: number,
): Promise<void> {
  let gone = false;
  exited.then(() => gone = true);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`Cannot start FerretDB: it exited before listening on port ${port}`);
    try {
      const conn = await Deno.connect({ hostname, port });
      conn.close();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`Cannot start FerretDB: port ${port} not open after ${timeoutMs} ms`);
}
