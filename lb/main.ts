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
import { descriptorsNeeded, openFileLimit } from "./fd_limit.ts";

let config;
try {
  config = loadLbConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "lb" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}

const logger = createLogger({ service: "lb", node: config.name, level: config.logLevel });
let balancer;
try {
  // The balancer has this process to itself, so its epoll loop may hold the main thread 50 ms.
  balancer = createBalancer({ ...balancerOptionsFromConfig(config, logger), epollSliceMs: 50 });
} catch (error) {
  // Cannot listen (address in use, no permission) or the engine asked for cannot run here.
  logger.error("cannot start", { error });
  Deno.exit(1);
}
logger.info("listening", {
  addr: formatHostPort(balancer.addr),
  engine: balancer.engine,
  admin: balancer.adminAddr ? formatHostPort(balancer.adminAddr) : null,
  backends: balancer.backends().map((b) => `${b.id}=${b.address}`),
});

const limit = openFileLimit();
if (limit !== undefined && descriptorsNeeded(config.maxConnections) > limit) {
  logger.warn("max connections needs more file descriptors than this process may open", {
    maxConnections: config.maxConnections,
    needed: descriptorsNeeded(config.maxConnections),
    limit,
  });
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) Deno.exit(1); // a second signal: stop waiting for open connections
  stopping = true;
  logger.info("stopping", { signal });
  await balancer.close();
  logger.info("stopped");
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
