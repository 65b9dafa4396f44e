/**
 * A web node: `deno task start:web --node ws0 --mongodb-uri mongodb://…` (flags and env in
 * docs/web.md). Runs from relative paths: the cert and key default to ./certs/ under the working
 * directory, so a node's directory can be cloned to make another node.
 */
import { ConfigError } from "@fleetmon/shared/errors";
import { createLogger } from "@fleetmon/shared/log";
import { loadWebConfig, type WebConfig } from "./config.ts";
import { startWebNode } from "./node.ts";

let config: WebConfig;
try {
  config = loadWebConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "web" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}

const logger = createLogger({ service: "web", node: config.node, level: config.logLevel });
const node = await startWebNode(config, logger).catch((error) => {
  logger.error("cannot start", { error });
  Deno.exit(1);
});

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    node.close().then(
      () => {
        logger.info("stopped");
        Deno.exit(0);
      },
      (error) => {
        logger.error("shutdown failed", { error });
        Deno.exit(1);
      },
    );
  });
}
