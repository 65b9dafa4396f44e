/**
 * The audit log's one writer: one document per change (who, what, when, from where), append-only.
 * Used by every web route that changes something, `deno task user` and `deno task device`; read
 * by admins on /audit (web/access/audit.ts). `_id` is time-ordered (`<ms, 13 digits>-<random>`),
 * so the newest page is a sort on `_id`.
 */
import type { Collection, Db } from "mongodb";

/** Who runs a command-line tool, for the audit log: `cli:<user>@<host>`. */
export function cliActor(user: string | undefined, host: string): string {
  return `cli:${user || "unknown"}@${host}`;
}

/** cliActor for this process: $USER (or $LOGNAME) on this host. */
export function cliActorOfProcess(): string {
  return cliActor(Deno.env.get("USER") ?? Deno.env.get("LOGNAME"), Deno.hostname());
}

export interface AuditDoc {
  _id: string;
  at: Date;
  /**
   * The username that acted, or `cli:<user>@<host>` for `deno task user` and `deno task device`
   * run on a server (cliActor).
   */
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
