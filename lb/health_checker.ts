/**
 * Runs a health check against every backend every interval, one loop per backend, and feeds the
 * results to each backend's state machine. A check starts `intervalMs` after the previous one
 * started (at once if that one took longer), so a backend that dies is down within
 * fall × interval + timeout. Backends can be added and removed while it runs (a reload).
 */
import { encodeProxyHeader } from "@fleetmon/shared/proxy_protocol";
import type { Backend } from "./backend.ts";
import { type CheckSpec, probe } from "./check_probe.ts";
import { delay } from "./_net.ts";

export interface HealthCheckerOptions {
  spec: CheckSpec;
  intervalMs: number;
  timeoutMs: number;
}

interface Loop {
  stop: AbortController;
  done: Promise<void>;
}

export class HealthChecker {
  readonly #options: HealthCheckerOptions;
  readonly #loops = new Map<Backend, Loop>();
  /** Loops of removed backends whose last check is still in flight. */
  readonly #ending = new Set<Promise<void>>();
  #stopped = false;

  /** Checks nothing until backends are added. */
  constructor(options: HealthCheckerOptions) {
    this.#options = options;
  }

  /** Starts checking `backend` (nothing after stop()). */
  add(backend: Backend): void {
    if (this.#stopped || this.#loops.has(backend)) return;
    const stop = new AbortController();
    this.#loops.set(backend, { stop, done: this.#loop(backend, stop.signal) });
  }

  /** Stops checking `backend`; a check in flight ends in the background. */
  remove(backend: Backend): void {
    const loop = this.#loops.get(backend);
    if (!loop) return;
    this.#loops.delete(backend);
    loop.stop.abort();
    this.#ending.add(loop.done);
    loop.done.finally(() => this.#ending.delete(loop.done));
  }

  /** Stops checking; resolves once no check is in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const loops = [...this.#loops.values()];
    for (const loop of loops) loop.stop.abort();
    await Promise.all([...loops.map((loop) => loop.done), ...this.#ending]);
  }

  async #loop(backend: Backend, signal: AbortSignal): Promise<void> {
    const { spec, intervalMs, timeoutMs } = this.#options;
    const sameAddress = backend.checkAddress.hostname === backend.address.hostname &&
      backend.checkAddress.port === backend.address.port;
    // A backend that reads PROXY headers on the checked port gets a LOCAL one before the check's
    // own bytes (a bare TCP connect sends no bytes, so needs none).
    const preamble = backend.proxyProtocol && sameAddress && spec.kind !== "tcp"
      ? encodeProxyHeader(backend.proxyProtocol)
      : undefined;
    while (!signal.aborted) {
      const started = performance.now();
      const result = await probe(spec, backend.checkAddress, { timeoutMs, preamble, signal });
      if (signal.aborted) return;
      backend.lastCheckMs = Math.round(performance.now() - started);
      if (!result.inconclusive) backend.health.recordCheck(result.ok, result.detail);
      await delay(Math.max(0, intervalMs - (performance.now() - started)), signal);
    }
  }
}
