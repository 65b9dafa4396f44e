/** Running `deno task rehearse` as a process, for the rehearsal's tests. */
import {
  listHostLinks,
  listNamespaces,
  namespacesAvailable,
  removeNetwork,
} from "../rehearse/mod.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/**
 * Why the rehearsal's tests cannot run here (not root, no `ip netns`), or undefined when they can.
 * The tests are then ignored under a name that says so.
 */
export const SKIPPED: string | undefined = (await namespacesAvailable()).why;

export interface HostState {
  /** Namespaces other than rehearsals' (other runs, e.g. a CI run, may come and go meanwhile). */
  namespaces: string[];
  links: string[];
}

const REHEARSAL_NS = /^fmr-[0-9a-f]{4}-/;

export async function hostState(): Promise<HostState> {
  const namespaces = (await listNamespaces()).filter((ns) => !REHEARSAL_NS.test(ns)).sort();
  return { namespaces, links: await listHostLinks() };
}

/** The namespaces left with a run's prefix (`fmr-XXXX-`). */
export async function leftOf(prefix: string): Promise<string[]> {
  if (!REHEARSAL_NS.test(prefix)) throw new TypeError(`Not a rehearsal's prefix: "${prefix}"`);
  return (await listNamespaces()).filter((ns) => ns.startsWith(prefix));
}

export function rehearse(args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `--config=${ROOT}deno.json`, `${ROOT}rehearse/main.ts`, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** Reads a child's stdout lines, calling `onLine` for each; resolves with all of them. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void = () => {},
): Promise<string[]> {
  const lines: string[] = [];
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      onLine(line);
    }
  }
  if (rest) lines.push(rest);
  return lines;
}

export interface RehearsalRun {
  lines: string[];
  errors: string[];
  status: Deno.CommandStatus;
  prefix: string;
  /** Whether it was still running after its time and was interrupted. */
  timedOut: boolean;
  /** The run's namespaces that were left when it ended (then removed by runRehearsal). */
  left: string[];
  /** The run's temporary folder (VM folders, plan), as its "network ready" line said. */
  runDir: string;
  /** Whether that folder was left when it ended (then removed by runRehearsal). */
  runDirLeft: boolean;
}

/**
 * Runs `deno task rehearse ARGS`, bounded: past `limitMs` it gets Ctrl-C (SIGINT, which makes it
 * clean up) and a minute later SIGKILL. Whatever happens, any namespace left with its prefix, and
 * its temporary folder, are removed before this returns, so a failing test never leaves one behind.
 */
export async function runRehearsal(
  args: string[],
  limitMs: number,
  onLine: (line: string, child: Deno.ChildProcess) => void = () => {},
): Promise<RehearsalRun> {
  const child = rehearse(args);
  let timedOut = false;
  const interrupt = setTimeout(() => {
    timedOut = true;
    child.kill("SIGINT");
  }, limitMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), limitMs + 60_000);
  let prefix = "";
  let runDir = "";
  let left: string[] = [];
  const stdout = readLines(child.stdout, (line) => {
    if (!prefix && line.includes('"network ready"')) ({ prefix, runDir } = JSON.parse(line));
    onLine(line, child);
  });
  const stderr = readLines(child.stderr);
  try {
    const status = await child.status;
    const lines = await stdout;
    if (prefix) left = await leftOf(prefix);
    // Its processes (the runner shares our stderr) live on if it could not clean up: kill them.
    if (left.length > 0) await removeNetwork(prefix);
    const runDirLeft = runDir !== "" &&
      await Deno.stat(runDir).then(() => true, (error) => {
        if (error instanceof Deno.errors.NotFound) return false;
        throw error;
      });
    return { lines, errors: await stderr, status, prefix, timedOut, left, runDir, runDirLeft };
  } finally {
    clearTimeout(interrupt);
    clearTimeout(kill);
    if (prefix && (await leftOf(prefix)).length > 0) await removeNetwork(prefix);
    if (runDir.includes("fleetmon-rehearse-")) {
      await Deno.remove(runDir, { recursive: true }).catch(() => {});
    }
    await Promise.allSettled([stdout, stderr]);
  }
}
