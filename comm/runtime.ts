/**
 * How a comm process should be run. A 2 MiB young generation makes V8 collect the garbage of
 * short-lived connections (load balancer probes) early, so memory stays flat under a probe storm
 * (measured by `deno task bench:comm`) at a small cost in peak throughput.
 */
export const COMM_V8_FLAGS = "--v8-flags=--max-semi-space-size=2";
