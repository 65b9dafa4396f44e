/**
 * GET /healthz, for lb(web)'s HTTPS health check: 200 `{ok:true,node,db:"up"}` when a database
 * ping answers within 1 s, else 503. While the node shuts down it answers 503 with
 * `draining: true`, so the lb stops sending new users here before the node goes away.
 */
import type { Db } from "mongodb";
import type { Context } from "hono";
import type { AppContext, WebEnv } from "./context.ts";

export const HEALTH_PING_TIMEOUT_MS = 1_000;

/** True when the database answers a ping within `timeoutMs`. */
export async function pingDatabase(db: Db, timeoutMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ping = db.command({ ping: 1 }).then(() => true, () => false);
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([ping, late]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthz(ctx: AppContext) {
  return async function healthz(c: Context<WebEnv>): Promise<Response> {
    c.header("Cache-Control", "no-store");
    if (ctx.signal.aborted) {
      return c.json({ ok: false, node: ctx.nodeId, db: "unknown", draining: true }, 503);
    }
    const up = await pingDatabase(ctx.db, HEALTH_PING_TIMEOUT_MS);
    return up
      ? c.json({ ok: true, node: ctx.nodeId, db: "up" })
      : c.json({ ok: false, node: ctx.nodeId, db: "down" }, 503);
  };
}
