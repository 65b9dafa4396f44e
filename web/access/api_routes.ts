/** /api/users, /api/tokens, /api/audit (docs/api.md "Users, tokens and the audit log"); admins only. */
import { Hono } from "hono";
import { z } from "zod";
import type { AppContext, WebEnv } from "../context.ts";
import { parseQuery, queryInt } from "../query.ts";
import { actorOf } from "./actor.ts";
import { listAudit } from "./audit.ts";
import { readJson } from "./json_body.ts";
import { createToken, listTokens, MAX_TOKEN_DAYS, revokeToken } from "./tokens.ts";
import {
  addUser,
  changeUser,
  listUsers,
  passwordSchema,
  roleSchema,
  usernameSchema,
} from "./users.ts";

const noQuery = z.strictObject({});
export const newUserSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  role: roleSchema,
});
export const userChangeSchema = z.strictObject({
  role: roleSchema.optional(),
  disabled: z.boolean().optional(),
  password: passwordSchema.optional(),
}).refine((v) => Object.keys(v).length > 0, "give at least one of role, disabled, password");
export const newTokenSchema = z.strictObject({
  name: z.string().trim().min(1).max(64).regex(/^[^\p{Cc}\p{Cf}]*$/u, "must be printable"),
  role: roleSchema.optional(),
  days: z.number().int().min(1).max(MAX_TOKEN_DAYS).default(90),
});
const auditQuerySchema = z.strictObject({
  limit: queryInt(1, 500).default(100),
  before: z.string().regex(/^\d{13}-[0-9a-z]{1,8}$/, "must be an entry id").optional(),
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
});

export function accessApiRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const hash = (password: string) => ctx.hasher.hash(password);

  app.get("/users", async (c) => {
    parseQuery(c, noQuery);
    return c.json({ users: await listUsers(ctx.db) });
  });
  app.post("/users", async (c) => {
    const input = await readJson(c, "user", newUserSchema);
    return c.json(await addUser(ctx.db, hash, input, actorOf(ctx, c), new Date(ctx.now())), 201);
  });
  app.patch("/users/:username", async (c) => {
    const change = await readJson(c, "user change", userChangeSchema);
    const username = c.req.param("username");
    return c.json(
      await changeUser(ctx.db, hash, username, change, actorOf(ctx, c), new Date(ctx.now())),
    );
  });

  app.get("/tokens", async (c) => {
    parseQuery(c, noQuery);
    return c.json({ tokens: await listTokens(ctx.db) });
  });
  app.post("/tokens", async (c) => {
    const input = await readJson(c, "token", newTokenSchema);
    const session = c.get("session");
    const { token, info } = await createToken(
      ctx.db,
      {
        user: session.user,
        userRole: session.role,
        name: input.name,
        role: input.role ?? session.role,
        days: input.days,
      },
      actorOf(ctx, c),
      new Date(ctx.now()),
    );
    return c.json({ token, ...info }, 201);
  });
  app.delete("/tokens/:id", async (c) => {
    await revokeToken(ctx.db, c.req.param("id"), actorOf(ctx, c), new Date(ctx.now()));
    return c.json({ ok: true });
  });

  app.get("/audit", async (c) => c.json(await listAudit(ctx.db, parseQuery(c, auditQuerySchema))));

  return app;
}
