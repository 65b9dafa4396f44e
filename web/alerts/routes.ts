/**
 * The alerts API under /api/alerts (docs/api.md, Alerts). Viewers read; operators and admins
 * change rules and silences. Query strings are strict: unknown parameters are refused.
 */
import { Hono } from "hono";
import { z } from "zod";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";
import type { AppContext, WebEnv } from "../context.ts";
import { parseInput } from "../errors.ts";
import { hasRole, requireRole } from "../roles.ts";
import { auditAlert, ruleDetail, silenceDetail } from "./audit.ts";
import { createRule, createSilence, deleteRule, endSilence, getRule, updateRule } from "./rules.ts";
import { alertJson, deliveryJson, eventJson, ruleJson, silenceJson } from "./shapes.ts";
import {
  alertsForDevice,
  listDeliveries,
  listHistory,
  listRules,
  listSilences,
  pendingAndFiring,
} from "./store.ts";

const noQuery = z.strictObject({});
const limit = z.string().regex(/^[1-9][0-9]{0,3}$/, "must be 1-1000").transform(Number)
  .refine((n) => n <= 1000, "must be 1-1000");
export const historyQuerySchema = z.strictObject({
  device: z.string().regex(DEVICE_ID_PATTERN, "must be a device id").optional(),
  rule: z.string().min(1).max(64).optional(),
  limit: limit.default(100),
});
const limitQuery = z.strictObject({ limit: limit.default(100) });
const activeQuery = z.strictObject({
  device: z.string().regex(DEVICE_ID_PATTERN, "must be a device id").optional(),
});

export function alertRoutes(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const operator = requireRole("operator");
  const user = (c: { get(key: "session"): { user: string } }) => c.get("session").user;
  const seesSecrets = (c: { get(key: "session"): { role: "viewer" | "operator" | "admin" } }) =>
    hasRole(c.get("session").role, "operator");

  app.get("/", async (c) => {
    const { device } = parseInput("query", activeQuery, c.req.query());
    const alerts = device ? await alertsForDevice(ctx.db, device) : await pendingAndFiring(ctx.db);
    return c.json({ alerts: alerts.map(alertJson) });
  });

  app.get("/rules", async (c) => {
    parseInput("query", noQuery, c.req.query());
    return c.json({ rules: (await listRules(ctx.db)).map((r) => ruleJson(r, false)) });
  });
  app.get("/rules/:id", async (c) => {
    parseInput("query", noQuery, c.req.query());
    return c.json(ruleJson(await getRule(ctx.db, c.req.param("id")), seesSecrets(c)));
  });
  app.post("/rules", operator, async (c) => {
    const rule = await createRule(ctx.db, await body(c.req.raw), user(c), new Date(ctx.now()));
    await auditAlert(ctx, c, "alert_rule.create", rule._id, ruleDetail(rule));
    return c.json(ruleJson(rule, true), 201);
  });
  app.put("/rules/:id", operator, async (c) => {
    const rule = await updateRule(
      ctx.db,
      c.req.param("id"),
      await body(c.req.raw),
      new Date(ctx.now()),
    );
    await auditAlert(ctx, c, "alert_rule.update", rule._id, ruleDetail(rule));
    return c.json(ruleJson(rule, true));
  });
  app.delete("/rules/:id", operator, async (c) => {
    await deleteRule(ctx.db, c.req.param("id"));
    await auditAlert(ctx, c, "alert_rule.delete", c.req.param("id"));
    return c.body(null, 204);
  });

  app.get("/history", async (c) => {
    const query = parseInput("query", historyQuerySchema, c.req.query());
    return c.json({ events: (await listHistory(ctx.db, query)).map(eventJson) });
  });
  app.get("/deliveries", async (c) => {
    const { limit } = parseInput("query", limitQuery, c.req.query());
    return c.json({ deliveries: (await listDeliveries(ctx.db, limit)).map(deliveryJson) });
  });

  app.get("/silences", async (c) => {
    parseInput("query", noQuery, c.req.query());
    const now = ctx.now();
    const silences = await listSilences(ctx.db, new Date(now));
    return c.json({ silences: silences.map((s) => silenceJson(s, now)) });
  });
  app.post("/silences", operator, async (c) => {
    const silence = await createSilence(
      ctx.db,
      await body(c.req.raw),
      user(c),
      new Date(ctx.now()),
    );
    await auditAlert(ctx, c, "silence.create", silence._id, silenceDetail(silence));
    return c.json(silenceJson(silence, ctx.now()), 201);
  });
  app.delete("/silences/:id", operator, async (c) => {
    await endSilence(ctx.db, c.req.param("id"), new Date(ctx.now()));
    await auditAlert(ctx, c, "silence.end", c.req.param("id"));
    return c.body(null, 204);
  });
  return app;
}

/** The request's JSON body; a body that is not JSON is a 400 like any invalid input. */
async function body(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 64 * 1024) {
    return parseInput("body", z.never(), undefined);
  }
  try {
    return JSON.parse(text);
  } catch {
    return parseInput("body", z.custom(() => false, "must be JSON"), text);
  }
}
