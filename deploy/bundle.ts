/**
 * `deno task bundle`: one JavaScript file per tier in dist/, to copy to a VM and run with
 * `deno run` from its own directory (relative paths, as the seed asks). `deno compile` would make
 * binaries, but it downloads its runtime from a host this build machine cannot reach.
 */
import { createLogger } from "@fleetmon/shared/log";

const logger = createLogger({ service: "bundle" });
const root = new URL("..", import.meta.url).pathname;
// web's password Worker is a module of its own; web/login/password_hasher.ts looks for it beside
// the bundle as fleetmon-web-argon2.js.
const ENTRIES: [string, string][] = [
  ["comm", "comm/main.ts"],
  ["web", "web/main.ts"],
  ["web-argon2", "web/login/argon2_worker.ts"],
  ["lb", "lb/main.ts"],
];
for (const [tier, entry] of ENTRIES) {
  const output = `${root}dist/fleetmon-${tier}.js`;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform=deno", "-o", output, `${root}${entry}`],
    stdout: "null",
  }).output();
  if (!success) {
    logger.error("Cannot bundle", { tier, detail: new TextDecoder().decode(stderr).slice(-500) });
    Deno.exit(1);
  }
  logger.info("bundled", { tier, output, bytes: (await Deno.stat(output)).size });
}
