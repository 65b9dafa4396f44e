/**
 * The alert collections in MongoDB and every read and write of them. Rules, silences, alert
 * instances and the outbox are small (one document per rule, per silence, per rule×device that
 * ever went pending, per notification not yet delivered), so scanning them is cheap on FerretDB;
 * the history and the delivery log grow, and are read newest-first by an indexed time field.
 */
import type { Collection, Db } from "mongodb";
import type { AlertInstance, AlertRule, Severity, Silence } from "./model.ts";
import type { AlertEvent } from "./state_machine.ts";
import type { NotificationPayload } from "./notification.ts";
import { describeValue } from "./describe.ts";

/** One firing or resolved event: the alert's history. `_id` is `${instance}|${transitions}`. */
export interface AlertEventDoc {
  _id: string;
  rule: string;
  ruleName: string;
  severity: Severity;
  device: string;
  event: AlertEvent;
  value?: number;
  at: Date;
  /** Whether a silence held its notifications back. */
  silenced: boolean;
  /** The value with its unit (describeValue); absent on events written before it was kept. */
  valueText?: string;
  /** The lease term of the node that evaluated it (a fencing token). */
  term: number;
}

export type Channel = "webhook" | "email";

/** A notification still to deliver: deleted once delivered or given up. */
export interface OutboxDoc {
  /** `${event id}|${channel}|${target}`: one per event and target, exactly once. */
  _id: string;
  event: string;
  channel: Channel;
  target: string;
  rule: string;
  payload: NotificationPayload;
  /** Signs webhook bodies (the rule's secret when the event happened). */
  secret?: string;
  attempts: number;
  nextAttemptAt: Date;
  createdAt: Date;
}

/** One delivery attempt: the delivery log. */
export interface DeliveryDoc {
  outbox: string;
  event: string;
  rule: string;
  channel: Channel;
  target: string;
  attempt: number;
  ok: boolean;
  /** HTTP status or SMTP reply, or the error. */
  detail: string;
  final: boolean;
  at: Date;
  ms: number;
}

export interface AlertCollections {
  rules: Collection<AlertRule>;
  silences: Collection<Silence>;
  instances: Collection<AlertInstance>;
  events: Collection<AlertEventDoc>;
  outbox: Collection<OutboxDoc>;
  deliveries: Collection<DeliveryDoc>;
}

export function alertCollections(db: Db): AlertCollections {
  return {
    rules: db.collection<AlertRule>("alert_rules"),
    silences: db.collection<Silence>("alert_silences"),
    instances: db.collection<AlertInstance>("alert_instances"),
    events: db.collection<AlertEventDoc>("alert_events"),
    outbox: db.collection<OutboxDoc>("alert_outbox"),
    deliveries: db.collection<DeliveryDoc>("alert_deliveries"),
  };
}

export async function ensureAlertIndexes(db: Db): Promise<void> {
  const c = alertCollections(db);
  await Promise.all([
    c.events.createIndex({ at: -1 }, { name: "at" }),
    c.events.createIndex({ device: 1, at: -1 }, { name: "device_at" }),
    c.deliveries.createIndex({ at: -1 }, { name: "at" }),
  ]);
}

export const DUPLICATE_KEY = 11000;
export const isDuplicateKey = (error: unknown) =>
  (error as { code?: number }).code === DUPLICATE_KEY;

/** An alert as the overview, the device list and the device page show it. */
export interface ActiveAlert {
  rule: string;
  ruleName: string;
  severity: Severity;
  device: string;
  state: "pending" | "firing";
  since: Date;
  value?: number;
  /** The value with its unit (describeValue), "" when there is none. */
  valueText: string;
}

async function activeAlerts(db: Db, filter: Partial<AlertInstance>): Promise<ActiveAlert[]> {
  const c = alertCollections(db);
  const [instances, rules] = await Promise.all([
    c.instances.find({ ...filter, state: { $in: ["pending", "firing"] } }).toArray(),
    c.rules.find({}, { projection: { name: 1, severity: 1, condition: 1 } }).toArray(),
  ]);
  const byId = new Map(rules.map((r) => [r._id, r]));
  return instances.flatMap((i) => {
    const rule = byId.get(i.rule);
    if (!rule || i.state === "ok") return [];
    return [{
      rule: i.rule,
      ruleName: rule.name,
      severity: rule.severity,
      device: i.device,
      state: i.state,
      since: i.since,
      value: i.value,
      valueText: describeValue(rule.condition, i.value),
    }];
  }).sort((a, b) => b.since.getTime() - a.since.getTime());
}

/** Every pending and firing alert, newest first. */
export function pendingAndFiring(db: Db): Promise<ActiveAlert[]> {
  return activeAlerts(db, {});
}

/** Every alert firing now, newest first. */
export async function firingAlerts(db: Db): Promise<ActiveAlert[]> {
  return (await activeAlerts(db, {})).filter((a) => a.state === "firing");
}

/** The ids of devices with at least one firing alert. */
export async function alertingDevices(db: Db): Promise<Set<string>> {
  return new Set((await firingAlerts(db)).map((a) => a.device));
}

/** A device's pending and firing alerts, newest first. */
export function alertsForDevice(db: Db, device: string): Promise<ActiveAlert[]> {
  return activeAlerts(db, { device });
}

export function listRules(db: Db): Promise<AlertRule[]> {
  return alertCollections(db).rules.find({}).sort({ name: 1 }).toArray();
}

export function listHistory(
  db: Db,
  query: { device?: string; rule?: string; limit: number },
): Promise<AlertEventDoc[]> {
  const filter: Partial<AlertEventDoc> = {};
  if (query.device) filter.device = query.device;
  if (query.rule) filter.rule = query.rule;
  return alertCollections(db).events.find(filter).sort({ at: -1 }).limit(query.limit).toArray();
}

export function listDeliveries(db: Db, limit: number): Promise<DeliveryDoc[]> {
  return alertCollections(db).deliveries.find({}).sort({ at: -1 }).limit(limit).toArray();
}

export function listSilences(db: Db, now: Date): Promise<Silence[]> {
  return alertCollections(db).silences.find({ endsAt: { $gt: now } }).sort({ endsAt: 1 })
    .toArray();
}

/** How long the history and the delivery log are kept. */
export const HISTORY_DAYS = 180;
export const DELIVERY_LOG_DAYS = 30;

/** Deletes history and delivery-log entries older than their retention; run by the lease holder. */
export async function pruneAlertLogs(db: Db, now: number): Promise<number> {
  const c = alertCollections(db);
  const day = 86_400_000;
  const [events, deliveries] = await Promise.all([
    c.events.deleteMany({ at: { $lt: new Date(now - HISTORY_DAYS * day) } }),
    c.deliveries.deleteMany({ at: { $lt: new Date(now - DELIVERY_LOG_DAYS * day) } }),
  ]);
  return events.deletedCount + deliveries.deletedCount;
}
