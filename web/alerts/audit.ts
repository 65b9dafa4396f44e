/** Every change of alert rules and silences goes to the audit log (web/access/audit.ts). */
import type { Context } from "hono";
import { actorOf } from "../access/actor.ts";
import { recordAudit } from "../access/audit.ts";
import type { AppContext, WebEnv } from "../context.ts";
import { describeRule } from "./describe.ts";
import type { AlertRule, Silence } from "./model.ts";

export type AlertAction =
  | "alert_rule.create"
  | "alert_rule.update"
  | "alert_rule.delete"
  | "silence.create"
  | "silence.end";

export function auditAlert(
  ctx: AppContext,
  c: Context<WebEnv>,
  action: AlertAction,
  target: string,
  detail?: Record<string, unknown>,
): Promise<void> {
  return recordAudit(ctx.db, { ...actorOf(ctx, c), action, target, ...(detail && { detail }) });
}

export const ruleDetail = (rule: AlertRule) => ({
  name: rule.name,
  enabled: rule.enabled,
  summary: describeRule(rule),
  webhooks: rule.webhooks.length,
  emails: rule.emails,
});

export const silenceDetail = (s: Silence) => ({
  rule: s.rule ?? null,
  device: s.device ?? null,
  endsAt: s.endsAt.toISOString(),
  comment: s.comment,
});
