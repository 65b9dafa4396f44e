/**
 * Signed-in dashboard users polling through lb(web), as the devices page does: each signs in
 * once, then asks for `/api/devices` every `intervalMs` over a connection of its own (an L4
 * balancer spreads connections, not requests). Failed requests, and answers of 401 (signed out),
 * are counted.
 *
 * Over HTTP/1.1: Deno's client sends an HTTP/2 :authority of "host:443", which web's Host check
 * (`--public-origin`) refuses with 421, while browsers send "host". See docs/rehearse.md.
 */
import { delay } from "@fleetmon/shared/delay";

export interface UserCounts {
  ok: number;
  failed: number;
  signedOut: number;
  /** The last failures, for the report. */
  errors: string[];
}

export interface UsersOptions {
  base: string;
  caCert: string;
  count: number;
  username: string;
  password: string;
  intervalMs: number;
  requestTimeoutMs?: number;
}

export class Users {
  readonly counts: UserCounts = { ok: 0, failed: 0, signedOut: 0, errors: [] };
  readonly #o: UsersOptions;
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];
  #slowest = 0;

  constructor(options: UsersOptions) {
    this.#o = options;
  }

  /** Signs every user in (fails if one cannot), then starts polling. */
  async start(): Promise<void> {
    const cookies: string[] = [];
    for (let i = 0; i < this.#o.count; i++) cookies.push(await this.login());
    this.#loops = cookies.map((cookie, i) => this.#poll(cookie, i));
  }

  /** The longest a successful request took since the last call, in ms. */
  takeSlowest(): number {
    const slowest = this.#slowest;
    this.#slowest = 0;
    return slowest;
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }

  /** Signs one user in; returns the session cookie. */
  async login(): Promise<string> {
    using client = Deno.createHttpClient({ caCerts: [this.#o.caCert], http2: false });
    const response = await fetch(`${this.#o.base}/api/login`, {
      client,
      method: "POST",
      headers: { "content-type": "application/json", origin: this.#o.base },
      body: JSON.stringify({ username: this.#o.username, password: this.#o.password }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    const cookie = response.headers.get("set-cookie")?.split(";")[0];
    if (response.status !== 200 || !cookie) {
      throw new Error(`Cannot sign in a user: HTTP ${response.status}: ${body.slice(0, 200)}`);
    }
    return cookie;
  }

  async #poll(cookie: string, index: number): Promise<void> {
    // Spread the users over one interval, so they do not ask in step.
    await delay((this.#o.intervalMs * index) / this.#o.count, this.#stop.signal).catch(() => {});
    while (!this.#stop.signal.aborted) {
      await this.#ask(cookie);
      await delay(this.#o.intervalMs, this.#stop.signal).catch(() => {});
    }
  }

  async #ask(cookie: string): Promise<void> {
    const started = performance.now();
    try {
      using client = Deno.createHttpClient({ caCerts: [this.#o.caCert], http2: false });
      const response = await fetch(`${this.#o.base}/api/devices`, {
        client,
        headers: { cookie },
        signal: AbortSignal.timeout(this.#o.requestTimeoutMs ?? 5_000),
      });
      const body = await response.text();
      if (response.status === 200 && hasDevices(body)) {
        this.counts.ok++;
        this.#slowest = Math.max(this.#slowest, Math.round(performance.now() - started));
      } else if (response.status === 401) this.counts.signedOut++;
      else this.#fail(`HTTP ${response.status}: ${body.slice(0, 100)}`);
    } catch (error) {
      this.#fail((error as Error).message);
    }
  }

  #fail(why: string): void {
    this.counts.failed++;
    this.counts.errors.push(why.slice(0, 200));
    if (this.counts.errors.length > 20) this.counts.errors.shift();
  }
}

/** Whether an answer is the device list `GET /api/devices` promises (docs/api.md). */
function hasDevices(body: string): boolean {
  try {
    return Array.isArray(JSON.parse(body).devices);
  } catch {
    return false;
  }
}
