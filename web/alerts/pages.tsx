/**
 * The alerts pages: /alerts, /alerts/rules, /alerts/rules/new, /alerts/rules/:id, and their form
 * posts. Viewers see everything but the webhook secret and change nothing; operators and admins
 * edit. Every redirect is relative (docs/web.md).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import type { AppContext, WebEnv } from "../context.ts";
import { ValidationError } from "../errors.ts";
import { rootRelative } from "../relative.ts";
import { hasRole, requireRole } from "../roles.ts";
import { AlertsPage } from "./alerts_view.tsx";
import { auditAlert, ruleDetail, silenceDetail } from "./audit.ts";
import { EMPTY_FORM, type FormFields, formFromRule, ruleFromForm } from "./form.ts";
import { createRule, createSilence, deleteRule, endSilence, getRule, updateRule } from "./rules.ts";
import { RuleFormPage, RulesPage } from "./rule_views.tsx";
import { listDeliveries, listHistory, listRules, listSilences, pendingAndFiring } from "./store.ts";

type C = Context<WebEnv>;

export function alertPages(ctx: AppContext): Hono<WebEnv> {
  const app = new Hono<WebEnv>();
  const operator = requireRole("operator");
  const canEdit = (c: C) => hasRole(c.get("session").role, "operator");
  const user = (c: C) => c.get("session").user;
  const back = (c: C, to: string) => c.redirect(`${rootRelative(c.req.path)}${to}`, 303);

  app.get("/alerts", async (c) => {
    const now = ctx.now();
    const [active, silences, history, deliveries] = await Promise.all([
      pendingAndFiring(ctx.db),
      listSilences(ctx.db, new Date(now)),
      listHistory(ctx.db, { limit: 30 }),
      listDeliveries(ctx.db, 20),
    ]);
    return c.html(
      <AlertsPage
        user={user(c)}
        now={now}
        canEdit={canEdit(c)}
        active={active}
        silences={silences}
        history={history}
        deliveries={deliveries}
      />,
    );
  });

  app.get("/alerts/rules", async (c) => {
    return c.html(
      <RulesPage user={user(c)} rules={await listRules(ctx.db)} canEdit={canEdit(c)} />,
    );
  });

  app.get("/alerts/rules/new", operator, (c) => {
    return c.html(<RuleFormPage user={user(c)} fields={EMPTY_FORM} errors={[]} canEdit />);
  });

  app.post("/alerts/rules/new", operator, async (c) => {
    const fields = await formFields(c);
    try {
      const rule = await createRule(ctx.db, ruleFromForm(fields), user(c), new Date(ctx.now()));
      await auditAlert(ctx, c, "alert_rule.create", rule._id, ruleDetail(rule));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return c.html(
        <RuleFormPage user={user(c)} fields={fields} errors={error.issues} canEdit />,
        400,
      );
    }
    return back(c, "alerts/rules");
  });

  app.get("/alerts/rules/:id", async (c) => {
    const rule = await getRule(ctx.db, c.req.param("id"));
    return c.html(
      <RuleFormPage
        user={user(c)}
        rule={rule}
        fields={formFromRule(rule)}
        errors={[]}
        canEdit={canEdit(c)}
      />,
    );
  });

  app.post("/alerts/rules/:id", operator, async (c) => {
    const rule = await getRule(ctx.db, c.req.param("id"));
    const fields = await formFields(c);
    try {
      const saved = await updateRule(ctx.db, rule._id, ruleFromForm(fields), new Date(ctx.now()));
      await auditAlert(ctx, c, "alert_rule.update", rule._id, ruleDetail(saved));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return c.html(
        <RuleFormPage user={user(c)} rule={rule} fields={fields} errors={error.issues} canEdit />,
        400,
      );
    }
    return back(c, "alerts/rules");
  });

  app.post("/alerts/rules/:id/delete", operator, async (c) => {
    await deleteRule(ctx.db, c.req.param("id"));
    await auditAlert(ctx, c, "alert_rule.delete", c.req.param("id"));
    return back(c, "alerts/rules");
  });

  app.post("/alerts/silences", operator, async (c) => {
    const f = await formFields(c);
    const silence = await createSilence(
      ctx.db,
      {
        ...(f.rule && { rule: f.rule }),
        ...(f.device && { device: f.device }),
        durationMs: Math.round(Number(f.hours || "1") * 3_600_000),
        comment: f.comment ?? "",
      },
      user(c),
      new Date(ctx.now()),
    );
    await auditAlert(ctx, c, "silence.create", silence._id, silenceDetail(silence));
    return back(c, "alerts");
  });

  app.post("/alerts/silences/:id/end", operator, async (c) => {
    await endSilence(ctx.db, c.req.param("id"), new Date(ctx.now()));
    await auditAlert(ctx, c, "silence.end", c.req.param("id"));
    return back(c, "alerts");
  });

  return app;
}

async function formFields(c: C): Promise<FormFields> {
  const body = await c.req.parseBody();
  const fields: FormFields = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string") fields[key] = value.slice(0, 10_000);
  }
  return fields;
}
