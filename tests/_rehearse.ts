/** Running `deno task rehearse` as a process, for the rehearsal's tests. */
import { listHostLinks, listNamespaces } from "../rehearse/netns.ts";

const ROOT = new URL("..", import.meta.url).pathname;

/** Namespaces run as root only; the tests say plainly that they are skipped otherwise. */
export const NOT_ROOT = Deno.uid() !== 0;

export interface HostState {
  namespaces: string[];
  links: string[];
}

export async function hostState(): Promise<HostState> {
  return { namespaces: (await listNamespaces()).sort(), links: await listHostLinks() };
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
