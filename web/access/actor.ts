/** The audit log's "who and from where" for a request. */
import type { Context } from "hono";
import { type AppContext, clientAddress, type WebEnv } from "../context.ts";
import type { Actor } from "./users.ts";

export function actorOf(ctx: AppContext, c: Context<WebEnv>): Actor {
  const auth = c.get("auth");
  return {
    actor: c.get("session").user,
    via: auth?.via ?? "session",
    ...(auth?.tokenId ? { tokenId: auth.tokenId } : {}),
    client: clientAddress(c.env),
    node: ctx.nodeId,
    userAgent: (c.req.header("user-agent") ?? "").slice(0, 200),
  };
}
