/**
 * The agent's loop: every interval, one sample of the host, sent as one reading. Problems
 * reading a source are logged once each, not every interval.
 */
import type { Logger } from "@fleetmon/shared/log";
import type { HostCollector } from "./collector.ts";

export interface ReadingSink {
  send(metrics: Record<string, number>, ts?: number): number;
}

export interface AgentOptions {
  collector: HostCollector;
  client: ReadingSink;
  intervalMs: number;
  logger: Logger;
  now?: () => number;
}

export interface Agent {
  readonly readings: number;
  /** Samples now, outside the schedule; used once at start and by tests. */
  tick(): void;
  stop(): void;
}

export function startAgent(options: AgentOptions): Agent {
  const { collector, client, logger } = options;
  const now = options.now ?? Date.now;
  const reported = new Set<string>();
  let readings = 0;
  collector.collect(now()); // the baseline for CPU shares and rates
  const tick = () => {
    const at = now();
    const { metrics, problems } = collector.collect(at);
    for (const problem of problems) {
      if (reported.has(problem)) continue;
      reported.add(problem);
      logger.warn("cannot collect a metric group", { problem });
    }
    if (Object.keys(metrics).length === 0) return;
    try {
      client.send(metrics, at);
      readings++;
    } catch (error) {
      logger.error("cannot send reading", { error });
    }
  };
  const timer = setInterval(tick, options.intervalMs);
  return {
    get readings() {
      return readings;
    },
    tick,
    stop: () => clearInterval(timer),
  };
}
