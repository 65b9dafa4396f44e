/**
 * Who may do what. Roles are ranked: a viewer reads, an operator also changes devices, alerts and
 * silences, an admin also manages users, tokens and the cluster. A route states the least role it
 * needs with `requireRole(...)`, after `requireSession` has set the caller's session.
 */
import type { MiddlewareHandler } from "hono";
import type { WebEnv } from "./context.ts";
import { ForbiddenError } from "./errors.ts";

export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = typeof ROLES[number];

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Whether `role` may do what `needed` may. */
export function hasRole(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

/** Lets a request through only when the caller's role is at least `needed`; else 403. */
export function requireRole(needed: Role): MiddlewareHandler<WebEnv> {
  if (!(needed in RANK)) throw new TypeError(`Cannot require role: unknown role ${needed}`);
  return async function requireRole(c, next) {
    const role = c.get("session")?.role;
    if (!role || !hasRole(role, needed)) {
      throw new ForbiddenError(`This needs the ${needed} role; you are ${role ?? "signed out"}`);
    }
    await next();
  };
}
