/**
 * What an alert rule, an alert and a silence are, and the schemas that validate them when they
 * come from outside (the API and the rule form). Pure: no database, no clock.
 */
import { z } from "zod";
import { DEVICE_ID_PATTERN } from "@fleetmon/shared/protocol";

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = typeof SEVERITIES[number];
export const COMPARISONS = [">", ">=", "<", "<="] as const;
export type Comparison = typeof COMPARISONS[number];

/** At most this long for `for`, offline and no-data windows: 7 days. */
export const MAX_WINDOW_MS = 7 * 24 * 3_600_000;
const METRIC_PATTERN = /^[A-Za-z_][A-Za-z0-9_.]{0,63}$/;

const metric = z.string().regex(METRIC_PATTERN, "must be a metric name (A-Z a-z 0-9 _ ., 1-64)");
const finite = z.number().refine(Number.isFinite, "must be a finite number");
const windowMs = z.number().int().min(0).max(MAX_WINDOW_MS);

export const scopeSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("device"),
    device: z.string().regex(DEVICE_ID_PATTERN, "must be a device id"),
  }),
  z.strictObject({
    kind: z.literal("group"),
    group: z.string().regex(/^[A-Za-z0-9._ -]{1,64}$/, "must be a group name (1-64)"),
  }),
  z.strictObject({ kind: z.literal("all") }),
]);
export type Scope = z.output<typeof scopeSchema>;

export const conditionSchema = z.discriminatedUnion("kind", [
  /** `metric op value`; once active, stays active until the value is back past `clear`. */
  z.strictObject({
    kind: z.literal("threshold"),
    metric,
    op: z.enum(COMPARISONS),
    value: finite,
    clear: finite.optional(),
  }),
  /** The metric's change per second between the last two readings, compared with `value`. */
  z.strictObject({ kind: z.literal("rate"), metric, op: z.enum(COMPARISONS), value: finite }),
  /** No reading from the device for `afterMs`. */
  z.strictObject({ kind: z.literal("offline"), afterMs: windowMs.min(1_000) }),
  /** The device reports, but not this metric, for `afterMs`. */
  z.strictObject({ kind: z.literal("no_data"), metric, afterMs: windowMs.min(1_000) }),
]).superRefine((c, ctx) => {
  if (c.kind !== "threshold" || c.clear === undefined) return;
  const rising = c.op === ">" || c.op === ">=";
  if (rising ? c.clear > c.value : c.clear < c.value) {
    ctx.addIssue({
      code: "custom",
      path: ["clear"],
      message: `must be on the resolved side of ${c.value} (${rising ? "≤" : "≥"} ${c.value})`,
    });
  }
});
export type Condition = z.output<typeof conditionSchema>;

const email = z.email("must be an e-mail address").max(254);
const webhookUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).max(2048);

export const ruleInputSchema = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(100),
  enabled: z.boolean().default(true),
  severity: z.enum(SEVERITIES).default("warning"),
  scope: scopeSchema,
  condition: conditionSchema,
  /** How long the condition must hold before the alert fires (pending until then). */
  forMs: windowMs.default(0),
  webhooks: z.array(webhookUrl).max(5).default([]),
  emails: z.array(email).max(20).default([]),
  /** Signs webhooks (HMAC-SHA256); generated when not given. */
  webhookSecret: z.string().min(16).max(200).optional(),
});
export type RuleInput = z.input<typeof ruleInputSchema>;

export interface AlertRule extends Omit<z.output<typeof ruleInputSchema>, "webhookSecret"> {
  _id: string;
  webhookSecret: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
}

export const silenceInputSchema = z.strictObject({
  /** Silences this rule only; absent: every rule. */
  rule: z.string().min(1).max(64).optional(),
  /** Silences this device only; absent: every device. */
  device: z.string().regex(DEVICE_ID_PATTERN, "must be a device id").optional(),
  durationMs: z.number().int().min(60_000).max(30 * 24 * 3_600_000),
  comment: z.string().trim().max(500).default(""),
});

export interface Silence {
  _id: string;
  rule?: string;
  device?: string;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
}

/** One (rule, device) pair's alert. `ok` also stands for "resolved". */
export type AlertState = "ok" | "pending" | "firing";

export interface AlertInstance {
  /** `${rule}|${device}`. */
  _id: string;
  rule: string;
  device: string;
  state: AlertState;
  /** When the current state began. */
  since: Date;
  /** When it last fired (kept after it resolves). */
  firedAt?: Date;
  resolvedAt?: Date;
  /** The value that made the last transition (a metric value, a rate, seconds of silence). */
  value?: number;
  /** How many transitions this pair has had: numbers its events, exactly once. */
  transitions: number;
}

export const instanceId = (rule: string, device: string) => `${rule}|${device}`;

export function silenced(silences: Silence[], rule: string, device: string, now: number): boolean {
  return silences.some((s) =>
    s.startsAt.getTime() <= now && now < s.endsAt.getTime() &&
    (s.rule === undefined || s.rule === rule) && (s.device === undefined || s.device === device)
  );
}
