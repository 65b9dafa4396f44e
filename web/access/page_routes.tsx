/** /users, /tokens, /audit: the admin pages and their form posts (admins only, by policy.ts). */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppContext, WebEnv } from "../context.ts";
import { ForbiddenError, NotFoundError, ValidationError, validationErrorFrom } from "../errors.ts";
import { actorOf } from "./actor.ts";
import { listAudit } from "./audit.ts";
import { createToken, listTokens, MAX_TOKEN_DAYS, revokeToken } from "./tokens.ts";
import { addUser, changeUser, listUsers, passwordSchema, roleSchema } from "./users.ts";
import { newUserSchema } from "./api_routes.ts";
import { AuditPage, TokensPage, UsersPage } from "./views.tsx";

const userFormSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("role"), role: roleSchema }),
  z.object({ action: z.literal("disable") }),
  z.object({ action: z.literal("enable") }),
  z.object({ action: z.literal("password"), password: passwordSchema }),
]);
const tokenFormSchema = z.object({
  name: z.string().trim().min(1).max(64).regex(/^[^\p{Cc}\p{Cf}]*$/u, "must be printable"),
  role: roleSchema,
  days: z.string().regex(/^[1-9][0-9]{0,2}$/, "must be a whole number of days").transform(Number)
    .pipe(z.number().max(MAX_TOKEN_DAYS)),
});

/** A user-facing message for errors a form can cause; anything else goes to onError. */
function formError(error: unknown): string {
  if (error instanceof z.ZodError) return validationErrorFrom("form", error).message;
  if (
    error instanceof ValidationError || error instanceof NotFoundError ||
    error instanceof ForbiddenError
  ) return error.message;
  throw error;
}

const form = async (c: Context) =>
  Object.fromEntries(
    Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === "string"),
  ) as Record<string, string>;

export function accessPageRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const hash = (password: string) => ctx.hasher.hash(password);
  const now = () => new Date(ctx.now());
  const user = (c: Context<WebEnv>) => c.get("session").user;

  const usersPage = async (c: Context<WebEnv>, error?: string) =>
    c.html(
      <UsersPage user={user(c)} now={ctx.now()} users={await listUsers(ctx.db)} error={error} />,
      error ? 400 : 200,
    );
  app.get("/users", (c) => usersPage(c));
  app.post("/users", async (c) => {
    try {
      const input = newUserSchema.parse(await form(c));
      await addUser(ctx.db, hash, input, actorOf(ctx, c), now());
    } catch (error) {
      return usersPage(c, formError(error));
    }
    return c.redirect("./users", 303);
  });
  app.post("/users/:username", async (c) => {
    try {
      const input = userFormSchema.parse(await form(c));
      const change = input.action === "role"
        ? { role: input.role }
        : input.action === "password"
        ? { password: input.password }
        : { disabled: input.action === "disable" };
      await changeUser(ctx.db, hash, c.req.param("username"), change, actorOf(ctx, c), now());
    } catch (error) {
      return usersPage(c, formError(error));
    }
    return c.redirect("../users", 303);
  });

  const tokensPage = async (
    c: Context<WebEnv>,
    extra: { error?: string; created?: { token: string; name: string } } = {},
  ) =>
    c.html(
      <TokensPage user={user(c)} now={ctx.now()} tokens={await listTokens(ctx.db)} {...extra} />,
      extra.error ? 400 : 200,
    );
  app.get("/tokens", (c) => tokensPage(c));
  app.post("/tokens", async (c) => {
    try {
      const input = tokenFormSchema.parse(await form(c));
      const session = c.get("session");
      const { token, info } = await createToken(
        ctx.db,
        {
          user: session.user,
          userRole: session.role,
          ...input,
        },
        actorOf(ctx, c),
        now(),
      );
      // Shown once, in this answer only (no-store); never stored or logged.
      return tokensPage(c, { created: { token, name: info.name } });
    } catch (error) {
      return tokensPage(c, { error: formError(error) });
    }
  });
  app.post("/tokens/:id/revoke", async (c) => {
    try {
      await revokeToken(ctx.db, c.req.param("id"), actorOf(ctx, c), now());
    } catch (error) {
      return tokensPage(c, { error: formError(error) });
    }
    return c.redirect("../../tokens", 303);
  });

  app.get("/audit", async (c) => {
    const { entries } = await listAudit(ctx.db, { limit: 200 });
    return c.html(<AuditPage user={user(c)} now={ctx.now()} entries={entries} />);
  });
  return app;
}
