/**
 * GET /login, POST /login (form), POST /api/login (JSON), POST /logout and /api/logout (this
 * browser), POST /logout/everywhere and /api/logout/everywhere (every session of the user).
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { getCookie } from "hono/cookie";
import { z } from "zod";
import { AuthError } from "@fleetmon/shared/errors";
import { clearSessionCookie, currentSession, signIn } from "./auth.ts";
import type { AppContext, WebEnv } from "./context.ts";
import { BusyError, parseInput, RateLimitError, ValidationError } from "./errors.ts";
import { safeNext } from "./relative.ts";
import { deleteSession, deleteUserSessions, SESSION_COOKIE } from "./sessions.ts";
import { LoginPage } from "./views/login.tsx";

const credentials = {
  username: z.string().trim().min(1, "must not be empty").max(64, "must be at most 64 characters"),
  password: z.string().min(1, "must not be empty").max(1024, "must be at most 1024 characters"),
};
export const apiLoginSchema = z.strictObject(credentials);
const formLoginSchema = z.object({ ...credentials, next: z.string().optional() });

const limitBody = bodyLimit({
  maxSize: 16 * 1024,
  onError: () => {
    throw new HTTPException(413);
  },
});

export function loginRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();

  app.get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    if (await currentSession(ctx, c)) return c.redirect(`./${next ?? "overview"}`, 302);
    return c.html(<LoginPage next={next} />);
  });

  app.post("/login", limitBody, async (c) => {
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const parsed = formLoginSchema.safeParse(form);
    if (!parsed.success) {
      return c.html(<LoginPage next={next} error="Enter a username and a password" />, 400);
    }
    const { username, password } = parsed.data;
    try {
      await signIn(ctx, c, username, password);
    } catch (error) {
      if (error instanceof AuthError) {
        return c.html(<LoginPage next={next} username={username} error={error.message} />, 401);
      }
      if (error instanceof RateLimitError || error instanceof BusyError) {
        c.header("Retry-After", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
        const status = error instanceof BusyError ? 503 : 429;
        return c.html(<LoginPage next={next} username={username} error={error.message} />, status);
      }
      throw error;
    }
    return c.redirect(`./${next ?? "overview"}`, 303);
  });

  app.post("/api/login", limitBody, async (c) => {
    if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
      throw new ValidationError(
        "invalid_request",
        "Invalid login: expected a JSON body with Content-Type: application/json",
      );
    }
    let body: unknown;
    try {
      body = await c.req.json();
    } catch (error) {
      throw new ValidationError("invalid_json", `Invalid login: body is not JSON`, [], {
        cause: error,
      });
    }
    const { username, password } = parseInput("login", apiLoginSchema, body);
    const { doc } = await signIn(ctx, c, username, password);
    return c.json({ username: doc.user, role: doc.role, expiresAt: doc.expiresAt.toISOString() });
  });

  const signOut = async (c: Context<WebEnv>) => {
    const id = getCookie(c, SESSION_COOKIE);
    if (id) await deleteSession(ctx.db, id);
    clearSessionCookie(c);
  };
  app.post("/logout", async (c) => {
    await signOut(c);
    return c.redirect("./login", 303);
  });
  app.post("/api/logout", async (c) => {
    await signOut(c);
    return c.json({ ok: true });
  });

  /** Ends every session of the signed-in user, on every browser; the caller is signed out too. */
  const signOutEverywhere = async (c: Context<WebEnv>) => {
    const found = await currentSession(ctx, c);
    clearSessionCookie(c);
    if (!found) return 0;
    const count = await deleteUserSessions(ctx.db, found.session.user);
    ctx.logger.info("signed out everywhere", { username: found.session.user, sessions: count });
    return count;
  };
  app.post("/logout/everywhere", async (c) => {
    await signOutEverywhere(c);
    return c.redirect("../login", 303);
  });
  app.post("/api/logout/everywhere", async (c) => {
    return c.json({ ok: true, sessionsEnded: await signOutEverywhere(c) });
  });

  return app;
}
