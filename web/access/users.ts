/**
 * Managing dashboard users: add, change role, disable/enable, reset password, list. Used by the
 * /users page and API and by `deno task user`. Every change is written to the audit log, and takes
 * effect at once on every node: a new role is written into the user's live sessions; disabling or
 * a password reset ends the user's sessions and forgets their trusted browsers. API tokens check
 * their user on every use, so a disabled user's tokens stop working too.
 */
import type { Db } from "mongodb";
import { z } from "zod";
import { collections, type UserDoc } from "@fleetmon/shared/db";
import { ROLES } from "../roles.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { deleteUserSessions, setSessionsRole } from "../sessions.ts";
import { forgetTrustedDevices } from "../login/trusted_devices.ts";
import { unlockAccount } from "../rate_limit.ts";
import { type AuditEntry, recordAudit } from "./audit.ts";

export const usernameSchema = z.string().regex(
  /^[a-z0-9][a-z0-9._-]{0,63}$/,
  "must be 1-64 of a-z 0-9 . _ - starting with a letter or digit",
);
export const passwordSchema = z.string()
  .min(10, "must have at least 10 characters")
  .max(1024, "must be at most 1024 characters");
export const roleSchema = z.enum(ROLES);

export interface UserJson {
  username: string;
  role: UserDoc["role"];
  disabled: boolean;
  createdAt: string;
  updatedAt: string | null;
}

/** Who acted and from where, for the audit log. */
export type Actor = Omit<AuditEntry, "action" | "target" | "detail">;

const DUPLICATE_KEY = 11000;

function userJson(doc: UserDoc): UserJson {
  return {
    username: doc._id,
    role: doc.role,
    disabled: doc.disabled ?? false,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt?.toISOString() ?? null,
  };
}

export async function listUsers(db: Db): Promise<UserJson[]> {
  const docs = await collections(db).users.find({}, { projection: { passwordHash: 0 } })
    .sort({ _id: 1 }).toArray();
  return docs.map((doc) => userJson(doc as UserDoc));
}

export async function addUser(
  db: Db,
  hash: (password: string) => Promise<string>,
  input: { username: string; password: string; role: UserDoc["role"] },
  actor: Actor,
  now = new Date(),
): Promise<UserJson> {
  const doc: UserDoc = {
    _id: input.username,
    passwordHash: await hash(input.password),
    role: input.role,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await collections(db).users.insertOne(doc);
  } catch (error) {
    if ((error as { code?: number }).code === DUPLICATE_KEY) {
      throw new ValidationError("exists", `Cannot add user: "${input.username}" already exists`);
    }
    throw error;
  }
  await recordAudit(db, {
    ...actor,
    action: "user.add",
    target: input.username,
    detail: { role: input.role },
  }, now);
  return userJson(doc);
}

export interface UserChange {
  role?: UserDoc["role"];
  disabled?: boolean;
  password?: string;
}

/** Applies a change; refuses to leave the database without an enabled admin. */
export async function changeUser(
  db: Db,
  hash: (password: string) => Promise<string>,
  username: string,
  change: UserChange,
  actor: Actor,
  now = new Date(),
): Promise<UserJson> {
  const users = collections(db).users;
  const before = await users.findOne({ _id: username });
  if (!before) throw new NotFoundError(`User "${username}" does not exist`);
  const losesAdmin = before.role === "admin" && !before.disabled &&
    ((change.role !== undefined && change.role !== "admin") || change.disabled === true);
  if (losesAdmin) {
    const admins = await users.countDocuments({ role: "admin", disabled: { $ne: true } });
    if (admins <= 1) {
      throw new ValidationError(
        "last_admin",
        `Cannot change "${username}": it is the only enabled admin; make another admin first`,
      );
    }
  }
  const set: Partial<UserDoc> = { updatedAt: now };
  if (change.role !== undefined) set.role = change.role;
  if (change.disabled !== undefined) set.disabled = change.disabled;
  if (change.password !== undefined) set.passwordHash = await hash(change.password);
  await users.updateOne({ _id: username }, { $set: set });

  if (change.disabled === true || change.password !== undefined) {
    await deleteUserSessions(db, username);
    await forgetTrustedDevices(db, username);
    if (change.password !== undefined) await unlockAccount(db, username);
  } else if (change.role !== undefined) {
    await setSessionsRole(db, username, change.role);
  }
  const audit = (action: string, detail?: Record<string, unknown>) =>
    recordAudit(db, { ...actor, action, target: username, detail }, now);
  if (change.role !== undefined && change.role !== before.role) {
    await audit("user.role", { from: before.role, to: change.role });
  }
  if (change.disabled !== undefined && change.disabled !== (before.disabled ?? false)) {
    await audit(change.disabled ? "user.disable" : "user.enable");
  }
  if (change.password !== undefined) await audit("user.password");
  return userJson((await users.findOne({ _id: username }))!);
}
