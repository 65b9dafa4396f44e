/**
 * The rule form's fields ↔ a rule input. Pure; the result is validated by ruleInputSchema like
 * any API input, so the form can never store what the API would refuse.
 */
import type { AlertRule } from "./model.ts";

export type FormFields = Record<string, string>;

const number = (raw: string | undefined): number | undefined =>
  raw === undefined || raw.trim() === "" ? undefined : Number(raw);
const seconds = (raw: string | undefined): number | undefined => {
  const n = number(raw);
  return n === undefined ? undefined : Math.round(n * 1000);
};
const list = (raw: string | undefined): string[] =>
  (raw ?? "").split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);

export function ruleFromForm(f: FormFields): unknown {
  const scope = f.scope === "device"
    ? { kind: "device", device: (f.target ?? "").trim() }
    : f.scope === "group"
    ? { kind: "group", group: (f.target ?? "").trim() }
    : { kind: "all" };
  const metric = (f.metric ?? "").trim();
  const condition = f.kind === "offline"
    ? { kind: "offline", afterMs: seconds(f.window) }
    : f.kind === "no_data"
    ? { kind: "no_data", metric, afterMs: seconds(f.window) }
    : f.kind === "rate"
    ? { kind: "rate", metric, op: f.op, value: number(f.value) }
    : {
      kind: "threshold",
      metric,
      op: f.op,
      value: number(f.value),
      ...(number(f.clear) !== undefined && { clear: number(f.clear) }),
    };
  return {
    name: f.name ?? "",
    enabled: f.enabled === "on",
    severity: f.severity,
    scope,
    condition,
    forMs: seconds(f.for) ?? 0,
    webhooks: list(f.webhooks),
    emails: list(f.emails),
  };
}

/** A stored rule as form fields, to edit it. */
export function formFromRule(rule: AlertRule): FormFields {
  const c = rule.condition;
  const s = rule.scope;
  return {
    name: rule.name,
    enabled: rule.enabled ? "on" : "",
    severity: rule.severity,
    scope: s.kind,
    target: s.kind === "device" ? s.device : s.kind === "group" ? s.group : "",
    kind: c.kind,
    metric: "metric" in c ? c.metric : "",
    op: "op" in c ? c.op : ">",
    value: "value" in c ? String(c.value) : "",
    clear: c.kind === "threshold" && c.clear !== undefined ? String(c.clear) : "",
    window: "afterMs" in c ? String(c.afterMs / 1000) : "",
    for: String(rule.forMs / 1000),
    webhooks: rule.webhooks.join("\n"),
    emails: rule.emails.join("\n"),
  };
}

export const EMPTY_FORM: FormFields = {
  name: "",
  enabled: "on",
  severity: "warning",
  scope: "all",
  target: "",
  kind: "threshold",
  metric: "",
  op: ">",
  value: "",
  clear: "",
  window: "300",
  for: "0",
  webhooks: "",
  emails: "",
};
