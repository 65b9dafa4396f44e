/**
 * Runs a health check against every backend every interval, one loop per backend, and feeds the
 * results to each backend's state machine. A check starts `intervalMs` after the previous one
 * started (at once if that one took longer), so a backend that dies is down within
 * fall × interval + timeout.
 */
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import type { Backend } from "./backend.ts";
import { type CheckSpec, probe } from "./check_probe.ts";
import { delay } from "./_net.ts";

export interface HealthCheckerOptions {
  backends: readonly Backend[];
  spec: CheckSpec;
  intervalMs: number;
  timeoutMs: number;
}

export class HealthChecker {
  readonly #options: HealthCheckerOptions;
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[];

  constructor(options: HealthCheckerOptions) {
    this.#options = options;
    this.#loops = options.backends.map((backend) => this.#loop(backend));
  }

  /** Stops checking; resolves once no check is in flight. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }

  async #loop(backend: Backend): Promise<void> {
    const { spec, intervalMs, timeoutMs } = this.#options;
    const signal = this.#stop.signal;
    const sameAddress = backend.checkAddress.hostname === backend.address.hostname &&
      backend.checkAddress.port === backend.address.port;
    // A backend that reads PROXY headers on the checked port gets a LOCAL one before the check's
    // own bytes (a bare TCP connect sends no bytes, so needs none).
    const preamble = backend.proxyProtocol && sameAddress && spec.kind !== "tcp"
      ? encodeProxyHeader(backend.proxyProtocol)
      : undefined;
    while (!signal.aborted) {
      const started = performance.now();
      const result = await probe(spec, backend.checkAddress, { timeoutMs, preamble });
      if (signal.aborted) return;
      backend.lastCheckMs = Math.round(performance.now() - started);
      backend.health.recordCheck(result.ok, result.detail);
      await delay(Math.max(0, intervalMs - (performance.now() - started)), signal);
    }
  }
}
