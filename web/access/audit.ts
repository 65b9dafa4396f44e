/**
 * The audit log: one document per change (who, what, when, from where), append-only. Written by
 * every route that changes something and by `deno task user`; read by admins on /audit.
 * `_id` is time-ordered (`<ms, 13 digits>-<random>`), so the newest page is a sort on `_id`.
 */
import type { Collection, Db } from "mongodb";

export interface AuditDoc {
  _id: string;
  at: Date;
  /** The username that acted, or `cli` for `deno task user` run on a server. */
  actor: string;
  /** How the actor was signed in: a session, an API token (its id), or the command line. */
  via: "session" | "token" | "cli";
  tokenId?: string;
  /** `user.add`, `user.role`, `token.create`, `device.tags`, … */
  action: string;
  /** What was changed: a username, a token id, a device id. */
  target: string;
  detail?: Record<string, unknown>;
  /** The peer's address as the node saw it (behind lb(web): the lb's), and the web node. */
  client?: string;
  node?: string;
  userAgent?: string;
}

export type AuditEntry = Omit<AuditDoc, "_id" | "at">;

export function auditCollection(db: Db): Collection<AuditDoc> {
  return db.collection<AuditDoc>("audit");
}

export async function recordAudit(db: Db, entry: AuditEntry, now = new Date()): Promise<void> {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36).padStart(7, "0");
  const _id = `${String(now.getTime()).padStart(13, "0")}-${random}`;
  await auditCollection(db).insertOne({ _id, at: now, ...entry });
}

export interface AuditPage {
  entries: AuditJson[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: string | null;
}

export interface AuditJson extends Omit<AuditDoc, "_id" | "at"> {
  id: string;
  at: string;
}

/** Newest first, `limit` at a time, optionally only entries older than `before` (an entry id). */
export async function listAudit(
  db: Db,
  query: { limit: number; before?: string; actor?: string; action?: string },
): Promise<AuditPage> {
  const filter: Record<string, unknown> = {};
  if (query.before) filter._id = { $lt: query.before };
  if (query.actor) filter.actor = query.actor;
  if (query.action) filter.action = query.action;
  const docs = await auditCollection(db).find(filter).sort({ _id: -1 }).limit(query.limit)
    .toArray();
  const entries = docs.map(({ _id, at, ...rest }) => ({ id: _id, at: at.toISOString(), ...rest }));
  const last = entries.at(-1);
  return { entries, nextBefore: entries.length === query.limit && last ? last.id : null };
}
