/**
 * The audit log as admins read it on /audit, newest first. Entries are written by every route that
 * changes something, by `deno task user` and by `deno task device`, all through recordAudit
 * (shared/db/audit.ts).
 */
import type { Db } from "mongodb";
import { auditCollection, type AuditDoc } from "@fleetmon/shared/db";

// The one writer lives in shared/db/audit.ts, so `deno task device` writes through it too.
export { auditCollection, type AuditDoc, type AuditEntry, recordAudit } from "@fleetmon/shared/db";

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
