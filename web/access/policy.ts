/**
 * Who may call which route, for every route at once: admin for user, token and audit routes;
 * otherwise a viewer may read (GET, HEAD) and an operator may change (any other method). Routes
 * that need more than this add their own `requireRole(...)`. Installed after requireSession, so a
 * route added later is covered without doing anything; `policy_test.ts` walks every registered
 * route with each role.
 */
import type { MiddlewareHandler } from "hono";
import type { WebEnv } from "../context.ts";
import { ForbiddenError } from "../errors.ts";
import { hasRole, type Role } from "../roles.ts";

const ADMIN_PATH = /^\/(api\/)?(users|tokens|audit)(\/|$)/;
const READ_METHOD = /^(GET|HEAD|OPTIONS)$/;

/** The least role that may call `method path`. */
export function neededRole(method: string, path: string): Role {
  if (ADMIN_PATH.test(path)) return "admin";
  return READ_METHOD.test(method) ? "viewer" : "operator";
}

export function enforceRoles(): MiddlewareHandler<WebEnv> {
  return async function enforceRoles(c, next) {
    const role = c.get("session")?.role;
    const needed = neededRole(c.req.method, c.req.path);
    if (!role || !hasRole(role, needed)) {
      throw new ForbiddenError(
        `This needs the ${needed} role; you are ${role ?? "signed out"}`,
      );
    }
    await next();
  };
}
