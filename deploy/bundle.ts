/**
 * `deno task bundle`: one JavaScript file per tier in dist/, to copy to a VM and run with
 * `deno run` from its own directory (relative paths, as the seed asks). `deno compile` would make
 * binaries, but it downloads its runtime from a host this build machine cannot reach.
 */
import { createLogger } from "@fleetmon/shared/log";

const logger = createLogger({ service: "bundle" });
const root = new URL("..", import.meta.url).pathname;
for (const tier of ["comm", "web", "lb"]) {
  const output = `${root}dist/fleetmon-${tier}.js`;
  const { success, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--platform=deno", "-o", output, `${root}${tier}/main.ts`],
    stdout: "null",
  }).output();
  if (!success) {
    logger.error("Cannot bundle", { tier, detail: new TextDecoder().decode(stderr).slice(-500) });
    Deno.exit(1);
  }
  logger.info("bundled", { tier, output, bytes: (await Deno.stat(output)).size });
}
