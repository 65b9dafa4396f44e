/**
 * The audit log for every change, including routes written later by anyone: after a POST, PUT,
 * PATCH or DELETE behind the session gate succeeds (status below 400), one entry with the route
 * pattern as the action (`PATCH /api/devices/:id`) and its `:id` (or the path) as the target.
 * Bodies are not copied (they may hold passwords or webhook secrets). User, token, alert and
 * audit routes write richer entries of their own and are skipped here, and so is any request whose
 * route set `c.var.audited` (device register and edit: `device.register`, `device.edit`). A failed audit write is logged;
 * it does not undo or fail the change that already happened.
 */
import type { MiddlewareHandler } from "hono";
import type { AppContext, WebEnv } from "../context.ts";
import { actorOf } from "./actor.ts";
import { recordAudit } from "./audit.ts";

const READ_METHOD = /^(GET|HEAD|OPTIONS)$/;
const OWN_ENTRIES = /^\/(api\/)?(users|tokens|audit|alerts)(\/|$)/;

export function auditChanges(ctx: AppContext): MiddlewareHandler<WebEnv> {
  return async function auditChanges(c, next) {
    if (READ_METHOD.test(c.req.method) || OWN_ENTRIES.test(c.req.path)) return await next();
    await next();
    if (c.res.status >= 400 || !c.get("session") || c.get("audited")) return;
    const route = c.req.routePath;
    const params = c.req.param() as Record<string, string>;
    try {
      await recordAudit(ctx.db, {
        ...actorOf(ctx, c),
        action: `${c.req.method} ${route && route !== "/*" ? route : c.req.path}`,
        target: params.id ?? Object.values(params)[0] ?? c.req.path,
        detail: { status: c.res.status },
      }, new Date(ctx.now()));
    } catch (error) {
      ctx.logger.error("cannot write audit entry", { path: c.req.path, error });
    }
  };
}
