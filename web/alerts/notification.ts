/**
 * What a notification says: the webhook's JSON body and the e-mail's subject and text, built
 * once when the event happens and kept in the outbox, so later edits of the rule change nothing.
 */
import type { AlertRule } from "./model.ts";
import type { AlertEvent } from "./state_machine.ts";
import { describeRule, describeValue } from "./describe.ts";

export interface NotificationPayload {
  /** The event's id: receivers deduplicate by it (also in the X-Fleetmon-Event header). */
  id: string;
  status: AlertEvent;
  rule: { id: string; name: string; severity: string; summary: string };
  device: string;
  value: number | null;
  valueText: string;
  startsAt: string | null;
  endsAt: string | null;
  at: string;
}

export function buildPayload(
  eventId: string,
  event: AlertEvent,
  rule: AlertRule,
  alert: { device: string; value?: number; firedAt?: Date; resolvedAt?: Date },
  at: Date,
): NotificationPayload {
  return {
    id: eventId,
    status: event,
    rule: {
      id: rule._id,
      name: rule.name,
      severity: rule.severity,
      summary: describeRule(rule),
    },
    device: alert.device,
    value: alert.value ?? null,
    valueText: describeValue(rule.condition, alert.value),
    startsAt: alert.firedAt?.toISOString() ?? null,
    endsAt: event === "resolved" ? (alert.resolvedAt ?? at).toISOString() : null,
    at: at.toISOString(),
  };
}

export function emailSubject(p: NotificationPayload): string {
  const tag = p.status === "firing" ? "FIRING" : "RESOLVED";
  return `[${tag}] ${p.rule.name} on ${p.device}`;
}

export function emailText(p: NotificationPayload): string {
  return [
    `${p.rule.name} is ${p.status === "firing" ? "firing" : "resolved"} on device ${p.device}.`,
    "",
    `Rule:     ${p.rule.summary}`,
    `Severity: ${p.rule.severity}`,
    `Value:    ${p.valueText || "-"}`,
    `Started:  ${p.startsAt ?? "-"}`,
    ...(p.endsAt ? [`Ended:    ${p.endsAt}`] : []),
    "",
    `Event id: ${p.id}`,
    "-- fleetmon",
  ].join("\n");
}
