/**
 * Sign-in core and the session gate. Pages without a session are redirected to the sign-in page
 * by a relative URL; API calls get 401 JSON (via AuthError and the app's onError).
 *
 * Sign-in throttling (docs/web.md "Signing in"): failures are counted per account in the database,
 * shared by every node; an account with 5 failures in 5 minutes refuses browsers it does not know,
 * without hashing anything. A browser that signed in as that user before (a trusted-device cookie,
 * login/trusted_devices.ts) is not refused, so a stranger cannot lock the owner out. Passwords are
 * checked by ctx.hasher: off the main thread, with bounded concurrency and a bounded queue.
 */
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { collections } from "@fleetmon/shared/db";
import { AuthError } from "@fleetmon/shared/errors";
import { type AppContext, type Authenticated, clientAddress, type WebEnv } from "./context.ts";
import { authenticateToken } from "./access/tokens.ts";
import { isApiPath } from "./error_handler.ts";
import { BusyError, RateLimitError } from "./errors.ts";
import { accountKey } from "./rate_limit.ts";
import { nextFor, rootRelative } from "./relative.ts";
import {
  createSession,
  deleteSession,
  findSession,
  type NewSession,
  SESSION_COOKIE,
} from "./sessions.ts";
import {
  DEVICE_COOKIE,
  DEVICE_TTL_MS,
  failTrustedDevice,
  findTrustedDevice,
  trustDevice,
} from "./login/trusted_devices.ts";

/** Checks the password (throttled per account) and opens a session, replacing the browser's. */
export async function signIn(
  ctx: AppContext,
  c: Context<WebEnv>,
  username: string,
  password: string,
): Promise<NewSession> {
  const now = new Date(ctx.now());
  const client = clientAddress(c.env);
  const deviceCookie = getCookie(c, DEVICE_COOKIE);
  const device = await findTrustedDevice(ctx.db, deviceCookie, username, now);
  // A flood of strangers is refused here, before any database work, while the hasher is full.
  if (!device && ctx.hasher.full()) {
    ctx.stats.loginsBusy++;
    throw new BusyError("Too many sign-ins at once: try again in a second", 1000);
  }
  if (!device) {
    const waitMs = await ctx.loginLimiter.retryAfterMs(accountKey(username));
    if (waitMs > 0) {
      ctx.stats.loginsRateLimited++;
      ctx.logger.warn("login rate limited", { username, client });
      throw new RateLimitError(
        `Too many failed sign-ins for this account: try again in ${
          Math.ceil(waitMs / 1000)
        } s, or from a browser that signed in as this user before`,
        waitMs,
      );
    }
  }
  const user = await collections(ctx.db).users.findOne({ _id: username });
  const ok = await ctx.hasher.verify(password, user?.passwordHash ?? await dummyHash(ctx), {
    priority: device !== undefined,
  });
  if (!ok || !user) {
    if (device) await failTrustedDevice(ctx.db, device);
    else await ctx.loginLimiter.fail(accountKey(username));
    ctx.stats.loginsFailed++;
    ctx.logger.info("login failed", { username, client, trustedDevice: device !== undefined });
    throw new AuthError("bad_credentials", "Wrong username or password");
  }
  if (user.disabled) {
    ctx.stats.loginsFailed++;
    throw new AuthError("account_disabled", "This account is disabled: ask an admin");
  }
  if (!device) await ctx.loginLimiter.succeed(accountKey(username));
  ctx.stats.loginsSucceeded++;
  // A new session id on every sign-in: the browser's previous session ends (no fixation).
  const previous = getCookie(c, SESSION_COOKIE);
  if (previous) await deleteSession(ctx.db, previous);
  const session = await createSession(ctx.db, user, now, ctx.sessionTtlMs);
  setCookie(c, SESSION_COOKIE, session.id, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(ctx.sessionTtlMs / 1000),
  });
  const trusted = await trustDevice(
    ctx.db,
    device && deviceCookie ? { cookie: deviceCookie, doc: device } : undefined,
    user._id,
    now,
  );
  setCookie(c, DEVICE_COOKIE, trusted, {
    httpOnly: true,
    secure: true,
    sameSite: "Strict",
    path: "/",
    maxAge: Math.floor(DEVICE_TTL_MS / 1000),
  });
  ctx.logger.info("login", { username, client, trustedDevice: device !== undefined });
  return session;
}

// Verified against when the user does not exist, so timing does not reveal who does.
let dummy: Promise<string> | undefined;
function dummyHash(ctx: AppContext): Promise<string> {
  dummy ??= ctx.hasher.hash(crypto.randomUUID()).catch((error) => {
    dummy = undefined;
    throw error;
  });
  return dummy;
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

/** The session or token a request names, from this node's cache or else the database. */
async function authenticate(
  ctx: AppContext,
  key: string,
  read: () => Promise<Authenticated | undefined>,
): Promise<Authenticated | undefined> {
  const cached = ctx.authCache.get(key);
  if (cached) return cached;
  const ticket = ctx.authCache.ticket();
  const found = await read();
  if (found) ctx.authCache.put(key, found, found.session.expiresAt.getTime(), ticket);
  return found;
}

/**
 * Lets a request through only with a live session or a valid API token
 * (`Authorization: Bearer fmt_…`); sets c.var.session, c.var.auth and (sessions) c.var.sessionId.
 */
export function requireSession(ctx: AppContext): MiddlewareHandler<WebEnv> {
  return async function requireSession(c, next) {
    const authorization = c.req.header("authorization");
    if (authorization !== undefined) {
      const token = /^Bearer ([^\s]+)$/i.exec(authorization)?.[1];
      const found = token
        ? await authenticate(ctx, `token ${token}`, async () => {
          const valid = await authenticateToken(ctx.db, token, new Date(ctx.now()));
          return valid &&
            { session: valid.session, auth: { via: "token", tokenId: valid.tokenId } };
        })
        : undefined;
      if (!found) {
        throw new AuthError(
          "invalid_token",
          "Invalid API token: unknown, expired, revoked, or its user is disabled",
        );
      }
      c.set("session", found.session);
      c.set("auth", found.auth);
      return await next();
    }
    const id = getCookie(c, SESSION_COOKIE);
    const found = id
      ? await authenticate(ctx, `session ${id}`, async () => {
        const session = await findSession(ctx.db, id, new Date(ctx.now()));
        return session ? { session, auth: { via: "session" } } : undefined;
      })
      : undefined;
    if (id && found) {
      c.set("session", found.session);
      c.set("sessionId", id);
      c.set("auth", found.auth);
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
