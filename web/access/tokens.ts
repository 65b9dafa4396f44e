/**
 * API tokens for scripts: `Authorization: Bearer fmt_…`. A token is 256 random bits, shown once
 * when made; the database keeps only its SHA-256 (as `_id`, so a request's lookup is by `_id`).
 * Each token has a role no higher than its maker's, an expiry (at most a year), and can be revoked.
 * On every use the owner must still exist and be enabled, and the token acts with the lower of its
 * own role and the owner's current role.
 */
import type { Collection, Db } from "mongodb";
import { collections, generateSecret, type SessionDoc, sha256Hex } from "@fleetmon/shared/db";
import { hasRole, type Role } from "../roles.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import type { Actor } from "./users.ts";
import { announceRevocation } from "../login/revocations.ts";
import { recordAudit } from "./audit.ts";

export const TOKEN_PATTERN = /^fmt_[A-Za-z0-9_-]{43}$/;
export const MAX_TOKEN_DAYS = 366;
/** lastUsedAt is written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiTokenDoc {
  /** SHA-256 of the token, hex. */
  _id: string;
  /** Public id, for listing and revoking: `tok_` + 12 random characters. */
  id: string;
  user: string;
  name: string;
  role: Role;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export interface ApiTokenJson {
  id: string;
  user: string;
  name: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function tokensCollection(db: Db): Collection<ApiTokenDoc> {
  return db.collection<ApiTokenDoc>("api_tokens");
}

function tokenJson(doc: ApiTokenDoc): ApiTokenJson {
  return {
    id: doc.id,
    user: doc.user,
    name: doc.name,
    role: doc.role,
    createdAt: doc.createdAt.toISOString(),
    expiresAt: doc.expiresAt.toISOString(),
    lastUsedAt: doc.lastUsedAt?.toISOString() ?? null,
    revokedAt: doc.revokedAt?.toISOString() ?? null,
  };
}

export async function createToken(
  db: Db,
  input: { user: string; userRole: Role; name: string; role: Role; days: number },
  actor: Actor,
  now = new Date(),
): Promise<{ token: string; info: ApiTokenJson }> {
  if (!hasRole(input.userRole, input.role)) {
    throw new ForbiddenError(`Cannot make a ${input.role} token: you are ${input.userRole}`);
  }
  const token = generateSecret("fmt_");
  const doc: ApiTokenDoc = {
    _id: await sha256Hex(token),
    id: generateSecret("tok_").slice(0, 16),
    user: input.user,
    name: input.name,
    role: input.role,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.days * 86_400_000),
  };
  await tokensCollection(db).insertOne(doc);
  await recordAudit(db, {
    ...actor,
    action: "token.create",
    target: doc.id,
    detail: { name: doc.name, role: doc.role, owner: doc.user, expiresAt: doc.expiresAt },
  }, now);
  return { token, info: tokenJson(doc) };
}

/** Tokens, newest first; only `user`'s unless all. */
export async function listTokens(db: Db, user?: string): Promise<ApiTokenJson[]> {
  const docs = await tokensCollection(db).find(user ? { user } : {}).sort({ createdAt: -1 })
    .toArray();
  return docs.map(tokenJson);
}

export async function revokeToken(db: Db, id: string, actor: Actor, now = new Date()) {
  const result = await tokensCollection(db).updateOne(
    { id, revokedAt: { $exists: false } },
    { $set: { revokedAt: now } },
  );
  if (result.matchedCount === 0) {
    throw new NotFoundError(`Token "${id}" does not exist or is already revoked`);
  }
  await announceRevocation(db);
  await recordAudit(db, { ...actor, action: "token.revoke", target: id }, now);
}

/** What a Bearer token may do right now, as a session-like record; undefined if it may not. */
export async function authenticateToken(
  db: Db,
  token: string,
  now: Date,
): Promise<{ session: SessionDoc; tokenId: string } | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const tokens = tokensCollection(db);
  const doc = await tokens.findOne({ _id: await sha256Hex(token) });
  if (!doc || doc.revokedAt || doc.expiresAt <= now) return undefined;
  const user = await collections(db).users.findOne({ _id: doc.user });
  if (!user || user.disabled) return undefined;
  if (!doc.lastUsedAt || now.getTime() - doc.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await tokens.updateOne({ _id: doc._id }, { $set: { lastUsedAt: now } });
  }
  const role = hasRole(user.role, doc.role) ? doc.role : user.role;
  return {
    tokenId: doc.id,
    session: {
      _id: `token:${doc.id}`,
      user: doc.user,
      role,
      createdAt: doc.createdAt,
      expiresAt: doc.expiresAt,
    },
  };
}
