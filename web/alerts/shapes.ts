/** The JSON shapes of the alerts API, built field by field (docs/api.md, Alerts). */
import type { AlertRule, Silence } from "./model.ts";
import type { ActiveAlert, AlertEventDoc, DeliveryDoc } from "./store.ts";
import { describeRule } from "./describe.ts";

/** `withSecret`: only for operators and admins, who may change the rule anyway. */
export function ruleJson(rule: AlertRule, withSecret: boolean) {
  return {
    id: rule._id,
    name: rule.name,
    enabled: rule.enabled,
    severity: rule.severity,
    scope: rule.scope,
    condition: rule.condition,
    forMs: rule.forMs,
    webhooks: rule.webhooks,
    emails: rule.emails,
    ...(withSecret && { webhookSecret: rule.webhookSecret }),
    summary: describeRule(rule),
    createdAt: rule.createdAt.toISOString(),
    updatedAt: rule.updatedAt.toISOString(),
    createdBy: rule.createdBy,
  };
}

export function alertJson(a: ActiveAlert) {
  return { ...a, since: a.since.toISOString(), value: a.value ?? null };
}

export function eventJson(e: AlertEventDoc) {
  return {
    id: e._id,
    rule: e.rule,
    ruleName: e.ruleName,
    severity: e.severity,
    device: e.device,
    event: e.event,
    value: e.value ?? null,
    valueText: e.valueText ?? (e.value === undefined ? "" : String(e.value)),
    at: e.at.toISOString(),
    silenced: e.silenced,
  };
}

export function deliveryJson(d: DeliveryDoc) {
  return {
    event: d.event,
    rule: d.rule,
    channel: d.channel,
    target: d.target,
    attempt: d.attempt,
    ok: d.ok,
    final: d.final,
    detail: d.detail,
    at: d.at.toISOString(),
    ms: d.ms,
  };
}

export function silenceJson(s: Silence, now: number) {
  return {
    id: s._id,
    rule: s.rule ?? null,
    device: s.device ?? null,
    startsAt: s.startsAt.toISOString(),
    endsAt: s.endsAt.toISOString(),
    active: s.startsAt.getTime() <= now && now < s.endsAt.getTime(),
    comment: s.comment,
    createdBy: s.createdBy,
  };
}
