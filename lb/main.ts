/**
 * lb entry point: read config, start the balancer, log "listening", stop on SIGTERM or SIGINT.
 *
 *   deno task start:lb --name lb-comm --listen 0.0.0.0:7000 --admin 127.0.0.1:9000 \
 *     --backend cs0=10.0.0.10:7101,check=7111 --backend cs1=10.0.0.11:7101,check=7111 --check http
 */
import { createLogger } from "@fleetmon/shared/log";
import { ConfigError } from "@fleetmon/shared/errors";
import { formatHostPort } from "@fleetmon/shared/net";
import { balancerOptionsFromConfig, createBalancer, loadLbConfig } from "./mod.ts";

let config;
try {
  config = loadLbConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "lb" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}

const logger = createLogger({ service: "lb", node: config.name, level: config.logLevel });
const balancer = createBalancer(balancerOptionsFromConfig(config, logger));
logger.info("listening", {
  addr: formatHostPort(balancer.addr),
  admin: balancer.adminAddr ? formatHostPort(balancer.adminAddr) : null,
  backends: balancer.backends().map((b) => `${b.id}=${b.address}`),
});

const stop = async (signal: string) => {
  logger.info("stopping", { signal });
  await balancer.close();
  logger.info("stopped");
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
