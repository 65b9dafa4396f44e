/**
 * One rehearsal scenario: what it does to the running deployment, and what it asserts. The runner
 * hands every scenario the same context; after it, the runner stops the devices, lets them drain
 * and audits every reading acked so far (0 lost, 0 duplicates), so each scenario's checks cover
 * what only it can see.
 */
import type { DeviceFleet } from "./devices.ts";
import type { Topology } from "./topology.ts";
import type { Users } from "./users.ts";

export interface Check {
  what: string;
  ok: boolean;
  detail?: string;
}

export interface ScenarioContext {
  topo: Topology;
  fleet: DeviceFleet;
  users: Users;
  /** The bounded CI variant: shorter waits, same checks. */
  quick: boolean;
  /** Milliseconds since the run started (the plots' clock). */
  elapsed(): number;
  /** Marks a moment on the scenario's plot ("cable pulled"). */
  mark(label: string): void;
  check(what: string, ok: boolean, detail?: string): void;
  figure(key: string, value: number): void;
  /** Counts readings acked by load outside the fleet (scenario 10's), for the plots. */
  countAcked(n: number): void;
  sleep(ms: number): Promise<void>;
  /** Opens `count` new device connections through lb(comm); the nodes they were welcomed by. */
  probeNodes(count: number): Promise<string[]>;
}

export interface Scenario {
  /** The number for it. */
  id: number;
  name: string;
  title: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface ScenarioResult {
  id: number;
  name: string;
  title: string;
  ok: boolean;
  startedMs: number;
  endedMs: number;
  /** When the devices stopped sending for the drain and audit (the plot ends soon after). */
  stoppedMs: number;
  checks: Check[];
  figures: Record<string, number>;
  /** The last failed web requests' errors, if any. */
  webErrors: string[];
  error?: string;
}
