/**
 * One backend's health, as a rise/fall state machine in the manner of std's circuit breaker.
 *
 * Health is "unknown" until the first result, which settles it either way (as HAProxy does);
 * after that `fall` consecutive failures take an "up" backend "down" and `rise` consecutive
 * successes bring a "down" one back. Every result resets the opposite counter, so failures
 * that are not consecutive never add up.
 *
 * An operator may also drain a backend (no new connections, existing ones go on) or disable it
 * (no new connections, existing ones are closed); health checks keep running meanwhile. The
 * backend's `state` is the admin state when there is one, its health otherwise, and only
 * changes of `state` are reported.
 */

export type Health = "unknown" | "up" | "down";
export type AdminState = "enabled" | "draining" | "disabled";
export type BackendState = Health | "draining" | "disabled";

export interface CheckResult {
  ok: boolean;
  /** When the result came, from the injected clock (milliseconds since the epoch). */
  at: number;
  /** Why it failed, or what it saw: "connection refused", "status 503". */
  detail?: string;
}

export interface HealthStateOptions {
  /** Consecutive successes that bring a down backend up. */
  rise: number;
  /** Consecutive failures that take an up backend down. */
  fall: number;
  now?: () => number;
  onStateChange?: (from: BackendState, to: BackendState) => void;
}

export class HealthState {
  readonly #rise: number;
  readonly #fall: number;
  readonly #now: () => number;
  readonly #onStateChange?: (from: BackendState, to: BackendState) => void;
  #health: Health = "unknown";
  #admin: AdminState = "enabled";
  #successes = 0;
  #failures = 0;
  #lastCheck: CheckResult | undefined;
  #since: number;

  constructor(options: HealthStateOptions) {
    for (const key of ["rise", "fall"] as const) {
      if (!Number.isInteger(options[key]) || options[key] < 1) {
        throw new RangeError(`Cannot track health: ${key} must be a positive integer`);
      }
    }
    this.#rise = options.rise;
    this.#fall = options.fall;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = options.onStateChange;
    this.#since = this.#now();
  }

  get state(): BackendState {
    return this.#admin === "enabled" ? this.#health : this.#admin;
  }

  get health(): Health {
    return this.#health;
  }

  get admin(): AdminState {
    return this.#admin;
  }

  /** Whether new connections may go to this backend: enabled and not known to be down. */
  get available(): boolean {
    return this.#admin === "enabled" && this.#health !== "down";
  }

  get lastCheck(): CheckResult | undefined {
    return this.#lastCheck;
  }

  /** When `state` last changed (or the machine was made). */
  get since(): number {
    return this.#since;
  }

  /** The counter heading for the next transition: successes while down, failures while up. */
  get streak(): { successes: number; failures: number } {
    return { successes: this.#successes, failures: this.#failures };
  }

  /** Records the result of a health check. */
  recordCheck(ok: boolean, detail?: string): void {
    this.#lastCheck = { ok, at: this.#now(), detail };
    if (ok) this.#succeed();
    else this.#fail();
  }

  /**
   * Records a failed connect by a client's connection: it counts against the backend like a
   * failed check. A successful connect counts for nothing, since an application check may know
   * better than the kernel's handshake.
   */
  recordFailedConnect(): void {
    this.#fail();
  }

  drain(): void {
    this.#setAdmin("draining");
  }

  disable(): void {
    this.#setAdmin("disabled");
  }

  enable(): void {
    this.#setAdmin("enabled");
  }

  #succeed(): void {
    this.#failures = 0;
    this.#successes++;
    if (this.#health === "unknown" || (this.#health === "down" && this.#successes >= this.#rise)) {
      this.#setHealth("up");
    }
  }

  #fail(): void {
    this.#successes = 0;
    this.#failures++;
    if (this.#health === "unknown" || (this.#health === "up" && this.#failures >= this.#fall)) {
      this.#setHealth("down");
    }
  }

  #setHealth(health: Health): void {
    this.#successes = 0;
    this.#failures = 0;
    this.#transition(() => this.#health = health);
  }

  #setAdmin(admin: AdminState): void {
    this.#transition(() => this.#admin = admin);
  }

  #transition(change: () => void): void {
    const from = this.state;
    change();
    const to = this.state;
    if (from === to) return;
    this.#since = this.#now();
    this.#onStateChange?.(from, to);
  }
}
