/**
 * Trusted devices ("device cookies", OWASP's defence against account lock-out): after a
 * successful sign-in the browser gets `__Host-fm_device`, a random 256-bit value whose SHA-256 is
 * stored with the user's name. A sign-in that presents a device cookie of that user is not
 * subject to the account's lock, so a stranger who fails five times for `admin` locks out only
 * browsers that never signed in as admin. Each device has its own failure count: five wrong
 * passwords from one device cookie and it is no longer trusted.
 *
 * Why not the client's address: lb(web) passes TLS through and Deno.serve cannot read a PROXY
 * header in front of TLS, so every request comes from the lb; and an address is a poor key anyway
 * (NAT, botnets rotate addresses). The device cookie needs no help from the network.
 */
import type { Collection, Db } from "mongodb";
import { generateSecret, sha256Hex } from "@fleetmon/shared/db";

export const DEVICE_COOKIE = "__Host-fm_device";
export const DEVICE_TTL_MS = 30 * 24 * 60 * 60_000;
export const DEVICE_MAX_FAILURES = 5;

export interface TrustedDeviceDoc {
  /** SHA-256 of the cookie value, hex. */
  _id: string;
  user: string;
  failures: number;
  createdAt: Date;
  expiresAt: Date;
}

export function trustedDevicesCollection(db: Db): Collection<TrustedDeviceDoc> {
  return db.collection<TrustedDeviceDoc>("trusted_devices");
}

const COOKIE_PATTERN = /^fmd_[A-Za-z0-9_-]{43}$/;

/** The device named by `cookie` if it is trusted for `user` right now. */
export async function findTrustedDevice(
  db: Db,
  cookie: string | undefined,
  user: string,
  now: Date,
): Promise<TrustedDeviceDoc | undefined> {
  if (!cookie || !COOKIE_PATTERN.test(cookie)) return undefined;
  const doc = await trustedDevicesCollection(db).findOne({ _id: await sha256Hex(cookie) });
  if (!doc || doc.user !== user || doc.expiresAt <= now) return undefined;
  if (doc.failures >= DEVICE_MAX_FAILURES) return undefined;
  return doc;
}

/** Counts a failed sign-in from a trusted device; past the limit the device is forgotten. */
export async function failTrustedDevice(db: Db, device: TrustedDeviceDoc): Promise<void> {
  const devices = trustedDevicesCollection(db);
  if (device.failures + 1 >= DEVICE_MAX_FAILURES) await devices.deleteOne({ _id: device._id });
  else await devices.updateOne({ _id: device._id }, { $inc: { failures: 1 } });
}

/** After a successful sign-in: renews the device, or trusts a new one; returns the cookie value. */
export async function trustDevice(
  db: Db,
  existing: { cookie: string; doc: TrustedDeviceDoc } | undefined,
  user: string,
  now: Date,
): Promise<string> {
  const devices = trustedDevicesCollection(db);
  const expiresAt = new Date(now.getTime() + DEVICE_TTL_MS);
  if (existing) {
    await devices.updateOne({ _id: existing.doc._id }, { $set: { failures: 0, expiresAt } });
    return existing.cookie;
  }
  const cookie = generateSecret("fmd_");
  await devices.insertOne({
    _id: await sha256Hex(cookie),
    user,
    failures: 0,
    createdAt: now,
    expiresAt,
  });
  return cookie;
}

/** Forgets every device of `user` (password reset, account disabled). */
export async function forgetTrustedDevices(db: Db, user: string): Promise<void> {
  await trustedDevicesCollection(db).deleteMany({ user });
}

/** Deletes expired devices; returns how many. */
export async function deleteExpiredTrustedDevices(db: Db, now: Date): Promise<number> {
  return (await trustedDevicesCollection(db).deleteMany({ expiresAt: { $lte: now } })).deletedCount;
}
