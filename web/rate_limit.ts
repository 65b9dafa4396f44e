/**
 * Login rate limiting: at most `maxFailures` failed logins per key (username + client address) in
 * a fixed window of `windowMs`; then the key is refused until the window ends. A success clears it.
 *
 * In memory, per node: behind lb(web) a client that alternates nodes gets up to `maxFailures` per
 * node. The table is bounded (`maxKeys`); when full, the oldest window is dropped first.
 */

export interface LoginLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export interface LoginLimiter {
  /** 0 when the key may try, else how long until it may, in ms. */
  retryAfterMs(key: string): number;
  fail(key: string): void;
  succeed(key: string): void;
  readonly size: number;
}

interface Window {
  startedAt: number;
  failures: number;
}

export function createLoginLimiter(options: LoginLimiterOptions = {}): LoginLimiter {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const maxKeys = options.maxKeys ?? 10_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) {
    throw new RangeError(`Cannot create login limiter: maxFailures ${maxFailures} is not >= 1`);
  }
  if (!(windowMs > 0)) {
    throw new RangeError(`Cannot create login limiter: windowMs ${windowMs} is not > 0`);
  }
  // A Map keeps insertion order, and windows are only ever inserted fresh: oldest first.
  const windows = new Map<string, Window>();

  const current = (key: string): Window | undefined => {
    const window = windows.get(key);
    if (window && now() - window.startedAt >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return window;
  };

  return {
    retryAfterMs(key) {
      const window = current(key);
      if (!window || window.failures < maxFailures) return 0;
      return window.startedAt + windowMs - now();
    },
    fail(key) {
      const window = current(key);
      if (window) {
        window.failures++;
        return;
      }
      while (windows.size >= maxKeys) windows.delete(windows.keys().next().value!);
      windows.set(key, { startedAt: now(), failures: 1 });
    },
    succeed(key) {
      windows.delete(key);
    },
    get size() {
      return windows.size;
    },
  };
}
