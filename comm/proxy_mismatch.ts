/**
 * Watches whether connections start the way `--proxy-protocol` says they will: with a PROXY header
 * from lb(comm) when it is on, without one when it is off. One mismatch is a stray client; when
 * mismatches are most of the recent connections, lb(comm) and this node disagree, and `/healthz`
 * fails with `problem` so the balancer takes the node out and the operator reads why. Only the
 * last minute counts, so fixing lb(comm)'s side (which sends no traffic here while the node is
 * out) brings the node back without a restart. Pure; clock injected.
 */

export type ProxyOutcome = "ok" | "missing" | "unexpected";

export interface ProxyMismatchOptions {
  /** The node's own `--proxy-protocol`. */
  expected: boolean;
  windowMs?: number;
  /** Connections remembered at most. */
  windowSize?: number;
  /** Mismatches needed before they can count as most connections. */
  minMismatches?: number;
  /** How often a mismatch may be logged, at most. */
  logEveryMs?: number;
}

interface Entry {
  at: number;
  outcome: ProxyOutcome;
  remote: string;
}

export class ProxyMismatchMonitor {
  readonly #expected: boolean;
  readonly #windowMs: number;
  readonly #windowSize: number;
  readonly #minMismatches: number;
  readonly #logEveryMs: number;
  #entries: Entry[] = [];
  #lastLogAt = -Infinity;
  #unlogged = 0;

  constructor(options: ProxyMismatchOptions) {
    this.#expected = options.expected;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#windowSize = options.windowSize ?? 100;
    this.#minMismatches = options.minMismatches ?? 3;
    this.#logEveryMs = options.logEveryMs ?? 10_000;
  }

  /** What an operator must change, for a nack's reason and the log. */
  reason(outcome: Exclude<ProxyOutcome, "ok">): string {
    return outcome === "missing"
      ? "Cannot accept connection: no PROXY protocol header, but this node runs with " +
        "--proxy-protocol (connect through lb(comm), or turn --proxy-protocol off if lb(comm) " +
        "sends no header)"
      : "Cannot accept connection: a PROXY protocol header arrived, but this node runs without " +
        "--proxy-protocol (turn it on, or turn lb(comm)'s --proxy-protocol off)";
  }

  /**
   * Notes how one connection started. For a mismatch, returns whether to log it now, and how
   * many were not logged since the last time: at most one log line every `logEveryMs`.
   */
  note(outcome: ProxyOutcome, remote: string, now: number): { log: boolean; unlogged: number } {
    this.#entries.push({ at: now, outcome, remote });
    if (this.#entries.length > this.#windowSize) this.#entries.shift();
    if (outcome === "ok") return { log: false, unlogged: 0 };
    if (now - this.#lastLogAt < this.#logEveryMs) {
      this.#unlogged++;
      return { log: false, unlogged: 0 };
    }
    this.#lastLogAt = now;
    const unlogged = this.#unlogged;
    this.#unlogged = 0;
    return { log: true, unlogged };
  }

  /** Why the node should be taken out, or undefined while most connections start as expected. */
  problem(now: number): string | undefined {
    const recent = this.#entries.filter((e) => now - e.at <= this.#windowMs);
    const mismatches = recent.filter((e) => e.outcome !== "ok");
    if (mismatches.length < this.#minMismatches || mismatches.length * 2 <= recent.length) {
      return undefined;
    }
    const last = mismatches[mismatches.length - 1];
    const from = [...new Set(mismatches.map((e) => e.remote.replace(/:\d+$/, "")))].slice(0, 5);
    const setting = this.#expected ? "on" : "off";
    return `PROXY protocol mismatch: ${mismatches.length} of the last ${recent.length} ` +
      `connections (from ${from.join(", ")}) ${
        last.outcome === "missing" ? "had no PROXY header" : "began with a PROXY header"
      }, but --proxy-protocol is ${setting} on this node: make lb(comm)'s --proxy-protocol and ` +
      `comm's agree`;
  }
}
