/** Entry point of one comm node: `deno task start:comm --node cs0 --listen HOST:PORT …`. */
import { ConfigError } from "@fleetmon/shared/errors";
import { createLogger } from "@fleetmon/shared/log";
import { loadCommConfig } from "./config.ts";
import { startCommNode } from "./node.ts";

let config;
try {
  config = loadCommConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "comm" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}
const logger = createLogger({ service: "comm", node: config.node, level: config.logLevel });
const node = await startCommNode(config, logger);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  logger.info("shutting down");
  await node.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
