/**
 * Sessions live in the database so any web node can serve any user. The cookie carries a random
 * 256-bit id; the database keeps only its SHA-256, so a leaked sessions collection logs no one in.
 * FerretDB has no TTL indexes: every lookup checks expiresAt, and each node deletes expired
 * sessions now and then (deleteExpiredSessions). Each change that ends or narrows sessions is
 * announced (login/revocations.ts) so nodes drop the sessions they cached (login/auth_cache.ts).
 */
import type { Db } from "mongodb";
import {
  collections,
  generateSecret,
  type SessionDoc,
  sha256Hex,
  type UserDoc,
} from "@fleetmon/shared/db";
import { announceRevocation } from "./login/revocations.ts";

/** `__Host-`: the browser accepts it only Secure, with Path=/ and no Domain, from this host. */
export const SESSION_COOKIE = "__Host-fm_session";
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60_000;

export interface NewSession {
  /** The cookie value: shown to the client once, never stored. */
  id: string;
  doc: SessionDoc;
}

export async function createSession(
  db: Db,
  user: Pick<UserDoc, "_id" | "role">,
  now: Date,
  ttlMs: number,
): Promise<NewSession> {
  const id = generateSecret("fms_");
  const doc: SessionDoc = {
    _id: await sha256Hex(id),
    user: user._id,
    role: user.role,
    createdAt: now,
    expiresAt: new Date(now.getTime() + ttlMs),
  };
  await collections(db).sessions.insertOne(doc);
  return { id, doc };
}

/** The live session for a cookie value, or null when unknown or expired. */
export async function findSession(db: Db, id: string, now: Date): Promise<SessionDoc | null> {
  if (!/^fms_[A-Za-z0-9_-]{43}$/.test(id)) return null;
  // `{_id}` alone: FerretDB answers only that shape from its index (docs/mongodb.md).
  const doc = await collections(db).sessions.findOne({ _id: await sha256Hex(id) });
  return doc && doc.expiresAt > now ? doc : null;
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await collections(db).sessions.deleteOne({ _id: await sha256Hex(id) });
  await announceRevocation(db);
}

/** Deletes sessions that expired at or before `now`; returns how many. */
export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await collections(db).sessions.deleteMany({ expiresAt: { $lte: now } });
  return result.deletedCount;
}

/** Ends every session of `user` ("sign out everywhere", password reset, account disabled). */
export async function deleteUserSessions(db: Db, user: string): Promise<number> {
  const { deletedCount } = await collections(db).sessions.deleteMany({ user });
  await announceRevocation(db);
  return deletedCount;
}

/** Gives the live sessions of `user` a new role at once (role changed by an admin). */
export async function setSessionsRole(
  db: Db,
  user: string,
  role: SessionDoc["role"],
): Promise<void> {
  await collections(db).sessions.updateMany({ user }, { $set: { role } });
  await announceRevocation(db);
}
