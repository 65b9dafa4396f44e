/**
 * Sign-in core and the session gate. Pages without a session are redirected to the sign-in page
 * by a relative URL; API calls get 401 JSON (via AuthError and the app's onError).
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { verifyUser } from "@fleetmon/shared/db";
import { AuthError } from "@fleetmon/shared/errors";
import { type AppContext, clientAddress, type WebEnv } from "./context.ts";
import { isApiPath } from "./error_handler.ts";
import { RateLimitError } from "./errors.ts";
import { nextFor, rootRelative } from "./relative.ts";
import { createSession, findSession, type NewSession, SESSION_COOKIE } from "./sessions.ts";

/** Checks the password (rate limited per username and client address) and opens a session. */
export async function signIn(
  ctx: AppContext,
  c: Context<WebEnv>,
  username: string,
  password: string,
): Promise<NewSession> {
  const key = `${username}\u0000${clientAddress(c.env)}`;
  const waitMs = await ctx.loginLimiter.retryAfterMs(key);
  if (waitMs > 0) {
    ctx.stats.loginsRateLimited++;
    ctx.logger.warn("login rate limited", { username, client: clientAddress(c.env) });
    throw new RateLimitError(
      `Too many failed sign-ins: try again in ${Math.ceil(waitMs / 1000)} s`,
      waitMs,
    );
  }
  const user = await verifyUser(ctx.db, username, password);
  if (!user) {
    await ctx.loginLimiter.fail(key);
    ctx.stats.loginsFailed++;
    ctx.logger.info("login failed", { username, client: clientAddress(c.env) });
    throw new AuthError("bad_credentials", "Wrong username or password");
  }
  await ctx.loginLimiter.succeed(key);
  ctx.stats.loginsSucceeded++;
  const session = await createSession(ctx.db, user, new Date(ctx.now()), ctx.sessionTtlMs);
  setCookie(c, SESSION_COOKIE, session.id, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(ctx.sessionTtlMs / 1000),
  });
  ctx.logger.info("login", { username, client: clientAddress(c.env) });
  return session;
}

export function clearSessionCookie(c: Context<WebEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: true, httpOnly: true, sameSite: "Strict" });
}

/** The session named by the request's cookie, if it is live. */
export async function currentSession(ctx: AppContext, c: Context<WebEnv>) {
  const id = getCookie(c, SESSION_COOKIE);
  if (!id) return undefined;
  const session = await findSession(ctx.db, id, new Date(ctx.now()));
  return session ? { id, session } : undefined;
}

/** Lets a request through only with a live session; sets c.var.session and c.var.sessionId. */
export function requireSession(ctx: AppContext): MiddlewareHandler<WebEnv> {
  return async function requireSession(c, next) {
    const found = await currentSession(ctx, c);
    if (found) {
      c.set("session", found.session);
      c.set("sessionId", found.id);
      return await next();
    }
    if (isApiPath(c.req.path)) {
      throw new AuthError("unauthenticated", "Sign in first: no valid session");
    }
    const next_ = c.req.method === "GET" ? nextFor(c.req.path) : undefined;
    const query = next_ ? `?next=${encodeURIComponent(next_)}` : "";
    return c.redirect(
      `${rootRelative(c.req.path)}login${query}`,
      c.req.method === "GET" ? 302 : 303,
    );
  };
}
