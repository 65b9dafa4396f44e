/** The load balancer tier: a tiny L4 round-robin TCP balancer with health checks and an admin API. */
export {
  type Balancer,
  BALANCER_DEFAULTS,
  type BalancerOptions,
  createBalancer,
} from "./balancer.ts";
export type { BackendSpec, BackendStats, BalancerStats } from "./backend.ts";
export type { CheckSpec } from "./check_probe.ts";
export type { AdminState, BackendState, Health } from "./health_state.ts";
export {
  balancerOptionsFromConfig,
  type LbConfig,
  loadLbConfig,
  settingsNeedingRestart,
} from "./config.ts";
export type { BackendChanges } from "./backend_set.ts";
