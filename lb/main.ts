/**
 * lb entry point: read config, start the balancer, log "listening", reload its backends on SIGHUP,
 * stop on SIGTERM or SIGINT.
 *
 *   deno task start:lb --name lb-comm --listen 0.0.0.0:7000 --admin 127.0.0.1:9000 \
 *     --backend cs0=10.0.0.10:7101,check=7111 --backend cs1=10.0.0.11:7101,check=7111 --check http
 */
import { createLogger } from "@fleetmon/shared/log";
import { ConfigError } from "@fleetmon/shared/errors";
import { formatHostPort } from "@fleetmon/shared/net";
import {
  type Balancer,
  balancerOptionsFromConfig,
  createBalancer,
  type LbConfig,
  loadLbConfig,
  settingsNeedingRestart,
} from "./mod.ts";
import { descriptorsNeeded, openFileLimit } from "./fd_limit.ts";

let config: LbConfig;
try {
  config = loadLbConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "lb" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}

const logger = createLogger({ service: "lb", node: config.name, level: config.logLevel });
let balancer: Balancer;
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

/**
 * SIGHUP: read the configuration again (the `--config` file is what can have changed) and apply
 * its backends; a configuration that does not validate, or that the running engine cannot serve,
 * changes nothing.
 */
function reload(): void {
  let next: LbConfig;
  try {
    next = loadLbConfig(Deno.args, Deno.env.toObject());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error("reload refused: invalid configuration", { problems: error.problems });
    return;
  }
  try {
    const changes = balancer.setBackends(balancerOptionsFromConfig(next, logger).backends);
    logger.info("reloaded", { ...changes });
  } catch (error) {
    logger.error("reload refused", { error });
    return;
  }
  const needRestart = settingsNeedingRestart(config, next);
  if (needRestart.length > 0) {
    logger.warn("these settings change only with a restart; the running values stay", {
      settings: needRestart,
    });
  }
  config = { ...config, backend: next.backend, proxyProtocol: next.proxyProtocol };
}
Deno.addSignalListener("SIGHUP", reload);

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
