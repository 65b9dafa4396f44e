/**
 * `deno task agent --device ID --token-file FILE [--target HOST:PORT] [--interval-ms MS]`:
 * sends this Linux host's CPU, memory, load, disk and network figures to lb(comm).
 */
import { ConfigError } from "@fleetmon/shared/errors";
import { createLogger } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { createDeviceClient } from "@fleetmon/shared/device";
import { loadAgentConfig, readToken } from "./config.ts";
import { startAgent } from "./agent.ts";
import { HostCollector } from "./collector.ts";
import { createHostSource } from "./host_source.ts";

const AGENT_VERSION = "fleetmon-agent/0.1";

let config;
let token;
try {
  config = loadAgentConfig(Deno.args, Deno.env.toObject());
  token = readToken(config);
} catch (error) {
  const problems = error instanceof ConfigError ? error.problems : undefined;
  createLogger({ service: "agent" }).error((error as Error).message, { problems });
  Deno.exit(2);
}
const logger = createLogger({ service: "agent", node: config.device, level: config.logLevel });
const client = createDeviceClient({
  target: config.target,
  device: config.device,
  token,
  agent: AGENT_VERSION,
  logger,
  bufferLimit: config.bufferLimit,
  bufferFile: config.bufferFile,
  backoff: { initialMs: 1_000, maxMs: 60_000, jitter: "full" },
  events: { onFailed: () => stop(1) },
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

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  agent.stop();
  const drained = code === 0 ? await client.drain(5_000) : false;
  const { buffered, acked, dropped } = client.stats;
  await client.close();
  logger.info("agent stopped", {
    readings: agent.readings,
    acked,
    unacked: buffered,
    dropped,
    drained,
  });
  Deno.exit(code);
}
Deno.addSignalListener("SIGTERM", () => stop(0));
Deno.addSignalListener("SIGINT", () => stop(0));
