/**
 * Login rate limiting, shared by every web node through the database: at most `maxFailures` failed
 * sign-ins per key (username + client address) in a fixed window of `windowMs`; then the key is
 * refused until its window ends. A success clears it. Kept in the database because lb(web) spreads
 * one client's connections over the nodes: a count kept per node would allow maxFailures × nodes.
 * Keys are stored as SHA-256 hashes; web nodes delete ended windows with their session sweep.
 */
import type { Db } from "mongodb";
import { collections, sha256Hex } from "@fleetmon/shared/db";

export interface LoginLimiterOptions {
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

export interface LoginLimiter {
  /** 0 when the key may try, else how long until it may, in ms. */
  retryAfterMs(key: string): Promise<number>;
  fail(key: string): Promise<void>;
  succeed(key: string): Promise<void>;
}

export function createLoginLimiter(db: Db, options: LoginLimiterOptions = {}): LoginLimiter {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 5 * 60_000;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) {
    throw new RangeError(`Cannot create login limiter: maxFailures ${maxFailures} is not >= 1`);
  }
  if (!(windowMs > 0)) {
    throw new RangeError(`Cannot create login limiter: windowMs ${windowMs} is not > 0`);
  }
  const failures = collections(db).loginFailures;

  /** The key's window if it has not ended yet. */
  const current = async (id: string) => {
    const window = await failures.findOne({ _id: id });
    return window && window.expiresAt.getTime() > now() ? window : undefined;
  };

  return {
    async retryAfterMs(key) {
      const window = await current(await sha256Hex(key));
      if (!window || window.failures < maxFailures) return 0;
      return window.expiresAt.getTime() - now();
    },
    async fail(key) {
      const id = await sha256Hex(key);
      if (await current(id)) {
        await failures.updateOne({ _id: id }, { $inc: { failures: 1 } });
        return;
      }
      const startedAt = new Date(now());
      await failures.replaceOne(
        { _id: id },
        { failures: 1, startedAt, expiresAt: new Date(startedAt.getTime() + windowMs) },
        { upsert: true },
      );
    },
    async succeed(key) {
      await failures.deleteOne({ _id: await sha256Hex(key) });
    },
  };
}

/** Deletes windows that ended at or before `now`; returns how many. */
export async function deleteEndedLoginWindows(db: Db, now: Date): Promise<number> {
  const result = await collections(db).loginFailures.deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}

/** The limiter's key for sign-ins to one account (web/auth.ts). */
export const accountKey = (username: string): string => `account\u0000${username}`;

/** Lifts an account's sign-in lock at once (an admin reset the password). */
export async function unlockAccount(db: Db, username: string): Promise<void> {
  await collections(db).loginFailures.deleteOne({ _id: await sha256Hex(accountKey(username)) });
}
