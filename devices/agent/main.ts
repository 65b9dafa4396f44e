/**
 * `deno task agent --device ID --token-file FILE [--target HOST:PORT] [--interval-ms MS]`:
 * sends this Linux host's CPU, memory, load, disk and network figures to lb(comm).
 */
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { createDeviceClient } from "../lib/mod.ts";
import { runService, type ServiceControl } from "@fleetmon/shared/service";
import { type AgentConfig, loadAgentConfig, readToken } from "./config.ts";
import { startAgent } from "./agent.ts";
import { HostCollector } from "./collector.ts";
import { createHostSource } from "./host_source.ts";

const AGENT_VERSION = "fleetmon-agent/0.1";

await runService({
  name: "agent",
  loadConfig: (args, env) => {
    const config = loadAgentConfig(args, env);
    return { ...config, token: readToken(config) };
  },
  logger: (config) => ({ node: config.device, level: config.logLevel }),
  start: run,
});

/** Samples the host and sends; refused for good (a wrong token), it stops with exit code 1. */
function run(config: AgentConfig & { token: string }, logger: Logger, control: ServiceControl) {
  let refused = false;
  const client = createDeviceClient({
    target: config.target,
    device: config.device,
    token: config.token,
    agent: AGENT_VERSION,
    logger,
    bufferLimit: config.bufferLimit,
    bufferFile: config.bufferFile,
    backoff: { initialMs: 1_000, maxMs: 60_000, jitter: "full" },
    events: {
      onFailed: () => {
        refused = true;
        control.stop(1);
      },
    },
  });
  const agent = startAgent({
    collector: new HostCollector(createHostSource(config.procRoot, config.sysRoot), config.mounts),
    client,
    intervalMs: config.intervalMs,
    logger,
  });
  logger.info("agent running", {
    target: formatHostPort(config.target),
    intervalMs: config.intervalMs,
    bufferFile: config.bufferFile,
    unacked: client.stats.buffered,
  });
  return {
    async close() {
      agent.stop();
      const drained = refused ? false : await client.drain(5_000);
      const { buffered, acked, dropped } = client.stats;
      await client.close();
      logger.info("agent stopped", {
        readings: agent.readings,
        acked,
        unacked: buffered,
        dropped,
        drained,
      });
    },
  };
}
