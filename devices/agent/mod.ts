/** The host agent's parts, for tests and tools: config, collector, the sampling loop. */
export { type AgentConfig, loadAgentConfig, readToken } from "./config.ts";
export { type Agent, type ReadingSink, startAgent } from "./agent.ts";
export { type Collected, type FsUsage, HostCollector, type HostSource } from "./collector.ts";
export { createHostSource } from "./host_source.ts";
