/**
 * Sessions and API tokens that this node validated against the database, kept in memory for a
 * short, bounded time so a signed-in request does not read the database (at ~800 reads/s FerretDB
 * was the ceiling of every authenticated route). Pure: the clock is injected, I/O is elsewhere
 * (revocations.ts reads and bumps the cluster's revocation count).
 *
 * How a revocation stays correct across nodes (docs/web.md "Sessions and what is stored"):
 * - Every change that can end or narrow a session or token (sign-out, sign out everywhere, a new
 *   sign-in replacing the browser's session, role change, disable, password reset, token revoke)
 *   first changes the database, then adds 1 to the cluster's revocation count.
 * - Each node reads that count every 250 ms and drops its whole cache when it changed
 *   (`observe`). An entry is used only while the node's last successful read of the count started
 *   at most `freshMs` (1 s) ago; if the database does not answer, the cache is not trusted and
 *   every request reads the database as before. So a revocation is honoured on every node at most
 *   `freshMs` after it was written.
 * - An entry validated from a read that began before a drop is not stored (`ticket`), so a read
 *   racing a revocation cannot put the revoked session back.
 * - A node drops its own cache after every successful change request it serves, so revocations
 *   made on this node take effect here at once.
 * - Whatever happens, an entry lives at most `maxAgeMs` (10 s) and never past its expiry.
 */
export interface AuthCacheOptions {
  now: () => number;
  /** The cache is used only while the last revocation check started at most this long ago. */
  freshMs?: number;
  /** No entry is used longer than this after it was read from the database. */
  maxAgeMs?: number;
  maxEntries?: number;
}

interface Entry<V> {
  value: V;
  at: number;
  expiresAt: number;
}

export class AuthCache<V> {
  readonly #now: () => number;
  readonly #freshMs: number;
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  #entries = new Map<string, Entry<V>>();
  #count: number | undefined;
  #checkedAt = -Infinity;
  #generation = 0;

  constructor(options: AuthCacheOptions) {
    this.#now = options.now;
    this.#freshMs = options.freshMs ?? 1_000;
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!(this.#freshMs > 0 && this.#maxAgeMs > 0 && this.#maxEntries > 0)) {
      throw new RangeError(
        `Cannot create AuthCache: options must be > 0: ${JSON.stringify(options)}`,
      );
    }
  }

  /** The cached value for `key`, if it may still be trusted. */
  get(key: string): V | undefined {
    const now = this.#now();
    if (now - this.#checkedAt > this.#freshMs) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (now - entry.at > this.#maxAgeMs || now >= entry.expiresAt) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Take one before reading the database; `put` ignores a value read across a drop. */
  ticket(): number {
    return this.#generation;
  }

  put(key: string, value: V, expiresAt: number, ticket: number): void {
    if (ticket !== this.#generation) return;
    if (this.#entries.size >= this.#maxEntries) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
    this.#entries.set(key, { value, at: this.#now(), expiresAt });
  }

  /**
   * The cluster's revocation count as read by a check that started at `startedAt`: any change
   * drops every entry; either way the cache is trusted for `freshMs` from `startedAt`.
   */
  observe(count: number, startedAt: number): void {
    if (count !== this.#count) this.clear();
    this.#count = count;
    this.#checkedAt = Math.max(this.#checkedAt, startedAt);
  }

  clear(): void {
    this.#entries.clear();
    this.#generation++;
  }

  get size(): number {
    return this.#entries.size;
  }
}
