/**
 * `deno compile` of each tier into a binary, where Deno's runtime (denort) can be downloaded.
 * The first failure to fetch the runtime ends the attempt: the others would fail the same way.
 */
import type { Logger } from "@fleetmon/shared/log";
import { type BundleEntry, ROOT } from "./bundles.ts";

export type CompileResult =
  | { made: true; binaries: string[] }
  | { made: false; reason: string };

/** A short reason from deno compile's error output: its last "Caused by" line that says why. */
export function compileFailureReason(stderr: string): string {
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "").split("Stack backtrace:")[0];
  const runtime = /Download (\S+denort\S+)/.exec(plain)?.[1];
  const cause = plain.split("\n").map((line) => line.trim())
    .filter((line) => /^\d+: /.test(line)).at(-1)?.replace(/^\d+: /, "");
  const what = runtime ? `cannot download Deno's runtime ${runtime}` : "deno compile failed";
  return cause ? `${what}: ${cause}` : `${what}: ${plain.trim().split("\n").at(-1) ?? ""}`;
}

export async function compileTiers(
  entries: readonly BundleEntry[],
  distDir: string,
  logger: Logger,
): Promise<CompileResult> {
  const binaries: string[] = [];
  for (const { name, entry } of entries) {
    const output = `${distDir}/bin/fleetmon-${name}`;
    const { success, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["compile", "--allow-all", "--no-check", "-o", output, `${ROOT}${entry}`],
      stdout: "null",
      signal: AbortSignal.timeout(300_000),
    }).output();
    if (!success) {
      return { made: false, reason: compileFailureReason(new TextDecoder().decode(stderr)) };
    }
    logger.info("compiled", { name, output });
    binaries.push(output);
  }
  return { made: true, binaries };
}
