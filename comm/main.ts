/** Entry point of one comm node: `deno task start:comm --node cs0 --listen HOST:PORT …`. */
import { runService } from "@fleetmon/shared/service";
import { loadCommConfig } from "./config.ts";
import { startCommNode } from "./node.ts";

await runService({
  name: "comm",
  loadConfig: loadCommConfig,
  logger: (config) => ({ node: config.node, level: config.logLevel }),
  start: startCommNode,
});
