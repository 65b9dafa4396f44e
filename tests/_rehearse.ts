/** Running `deno task rehearse` as a process, for the rehearsal's tests. */
import { listHostLinks, listNamespaces } from "../rehearse/netns.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Namespaces run as root only; the tests say plainly that they are skipped otherwise. */
export const NOT_ROOT = Deno.uid() !== 0;

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

/** The run's namespace prefix, from its "network ready" line. */
export function prefixOf(lines: string[]): string {
  const line = lines.find((l) => l.includes('"network ready"'));
  return line ? JSON.parse(line).prefix : "";
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
