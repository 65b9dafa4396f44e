/**
 * lb entry point: read config, start the balancer, log "listening", reload its backends on SIGHUP,
 * stop on SIGTERM or SIGINT (a second one stops at once, without waiting for open connections).
 *
 *   deno task start:lb --name lb-comm --listen 0.0.0.0:7000 --admin 127.0.0.1:9000 \
 *     --backend cs0=10.0.0.10:7101,check=7111 --backend cs1=10.0.0.11:7101,check=7111 --check http
 */
import type { Logger } from "@fleetmon/shared/log";
import { ConfigError } from "@fleetmon/shared/errors";
import { formatHostPort } from "@fleetmon/shared/net";
import { runService, type ServiceControl } from "@fleetmon/shared/service";
import {
  balancerOptionsFromConfig,
  createBalancer,
  type LbConfig,
  loadLbConfig,
  settingsNeedingRestart,
} from "./mod.ts";
import { descriptorsNeeded, openFileLimit } from "./fd_limit.ts";

await runService({
  name: "lb",
  loadConfig: loadLbConfig,
  logger: (config) => ({ node: config.name, level: config.logLevel }),
  start: startLb,
  signals: { SIGHUP: (lb) => lb.reload() },
});

async function startLb(started: LbConfig, logger: Logger, control: ServiceControl) {
  let config = started;
  // It throws when it cannot listen (address in use, no permission) or the engine asked for
  // cannot run here.
  const balancer = await createBalancer({
    ...balancerOptionsFromConfig(config, logger),
    logLevel: config.logLevel,
    // A balancer that relays nothing must not look alive: stop, exit 1, let the supervisor
    // start a fresh one.
    onDataPlaneFailed: () => control.stop(1),
  });
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
  async function reload(): Promise<void> {
    let next: LbConfig;
    try {
      next = loadLbConfig(Deno.args, Deno.env.toObject());
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      logger.error("reload refused: invalid configuration", { problems: error.problems });
      return;
    }
    try {
      const specs = balancerOptionsFromConfig(next, logger).backends;
      const changes = await balancer.setBackends(specs);
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

  // Reloads in turn: one SIGHUP's list is applied before the next one is read.
  let reloading = Promise.resolve();
  return {
    close: () => balancer.close(),
    reload: () => void (reloading = reloading.then(reload)),
  };
}
