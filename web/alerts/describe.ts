/** Rules and alerts in words, for pages, e-mails and webhook payloads. Pure. */
import { formatMetric } from "../views/format.ts";
import type { AlertRule, Condition, Scope } from "./model.ts";

export function describeDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000} h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000} min`;
  return `${ms / 1000} s`;
}

export function describeCondition(c: Condition): string {
  switch (c.kind) {
    case "threshold":
      return `${c.metric} ${c.op} ${c.value}` +
        (c.clear !== undefined ? ` (resolves past ${c.clear})` : "");
    case "rate":
      return `${c.metric} changes ${c.op} ${c.value}/s`;
    case "offline":
      return `no reading for ${describeDuration(c.afterMs)}`;
    case "no_data":
      return `no ${c.metric} for ${describeDuration(c.afterMs)}`;
  }
}

export function describeScope(s: Scope): string {
  return s.kind === "device"
    ? `device ${s.device}`
    : s.kind === "group"
    ? `group ${s.group}`
    : "all devices";
}

export function describeRule(rule: Pick<AlertRule, "condition" | "forMs" | "scope">): string {
  const wait = rule.forMs > 0 ? ` for ${describeDuration(rule.forMs)}` : "";
  return `${describeCondition(rule.condition)}${wait} on ${describeScope(rule.scope)}`;
}

/**
 * An alert's value with its unit: the metric's, by the device page's formatter (formatMetric:
 * mem_used_bytes 8e9 → "7.45 GiB", per second for rate rules), or seconds silent for offline and
 * no-data rules. Used by the pages, the webhook payload's valueText and the e-mail.
 */
export function describeValue(c: Condition, value: number | undefined): string {
  if (value === undefined) return "";
  if (c.kind === "offline" || c.kind === "no_data") return `${value} s silent`;
  if (c.kind === "rate") return `${formatMetric(c.metric, value)}/s`;
  return formatMetric(c.metric, value);
}
