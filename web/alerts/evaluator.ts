/**
 * One evaluation pass over every rule and every device in its scope, on the node that holds the
 * alerts lease. Keeps the alerts in memory while it holds the lease (loaded from the database on
 * taking it) and writes only changes: the event first, keyed `${rule}|${device}|${n}`, so that
 * even two evaluators that overlapped could not both notify one event; then the outbox; then the
 * alert itself.
 */
import type { Db } from "mongodb";
import type { Logger } from "@fleetmon/shared/log";
import { type DeviceMemory, judge } from "./conditions.ts";
import type { Deliverer } from "./delivery.ts";
import type { FleetReader } from "./fleet_reader.ts";
import { FleetMemory } from "./fleet_memory.ts";
import { type AlertInstance, type AlertRule, instanceId, type Silence, silenced } from "./model.ts";
import { describeValue } from "./describe.ts";
import { buildPayload } from "./notification.ts";
import { type AlertEvent, dropped, isActive, newInstance, step } from "./state_machine.ts";
import { alertCollections, isDuplicateKey, type OutboxDoc } from "./store.ts";

export interface EvaluatorDeps {
  db: Db;
  logger: Logger;
  fleet: FleetReader;
  deliverer: Deliverer;
  now: () => number;
  /** Rules and silences are read again when older than this (default 1000 ms). */
  rulesMaxAgeMs?: number;
}

interface Change {
  rule: AlertRule;
  next: AlertInstance;
  event?: AlertEvent;
}

export interface TickResult {
  devices: number;
  changes: number;
  events: number;
  ms: number;
}

const WRITE_CHUNK = 16;

export class Evaluator {
  #deps: EvaluatorDeps;
  #memory = new FleetMemory();
  #instances = new Map<string, AlertInstance>();
  #rules = new Map<string, AlertRule>();
  #settings: { rules: AlertRule[]; silences: Silence[]; at: number } | undefined;

  constructor(deps: EvaluatorDeps) {
    this.#deps = deps;
  }

  /** Reads the alerts as the last holder left them (on taking the lease). */
  async load(): Promise<void> {
    const docs = await alertCollections(this.#deps.db).instances.find({}).toArray();
    this.#instances = new Map(docs.map((doc) => [doc._id, doc]));
    this.#memory.clear();
    this.#settings = undefined;
  }

  /** Evaluates once; writes nothing unless `term` is still held when the results are in. */
  async tick(term: number, stillHeld: () => boolean): Promise<TickResult | undefined> {
    const started = performance.now();
    const { fleet, now } = this.#deps;
    const [{ rules, silences }, latest] = await Promise.all([this.#readSettings(), fleet.latest()]);
    const at = now();
    this.#memory.observe(latest, at);
    for (const rule of rules) this.#rules.set(rule._id, rule);
    const changes = this.#judgeAll(rules, at);
    if (!stillHeld()) return undefined;
    let events = 0;
    for (let i = 0; i < changes.length; i += WRITE_CHUNK) {
      const outcomes = await Promise.all(
        changes.slice(i, i + WRITE_CHUNK).map((change) => this.#write(change, silences, term, at)),
      );
      events += outcomes.filter(Boolean).length;
    }
    if (changes.length > 0) this.#deps.deliverer.kick();
    const live = new Set(rules.map((r) => r._id));
    for (const id of this.#rules.keys()) if (!live.has(id)) this.#rules.delete(id);
    return {
      devices: latest.length,
      changes: changes.length,
      events,
      ms: Math.round(performance.now() - started),
    };
  }

  /** Rules and silences, read at most once per rulesMaxAgeMs (ticks woken by readings reuse them). */
  async #readSettings(): Promise<{ rules: AlertRule[]; silences: Silence[] }> {
    const { db, now } = this.#deps;
    const maxAge = this.#deps.rulesMaxAgeMs ?? 1_000;
    if (this.#settings && now() - this.#settings.at < maxAge) return this.#settings;
    const c = alertCollections(db);
    const [rules, silences] = await Promise.all([
      c.rules.find({}).toArray(),
      c.silences.find({}).toArray(),
    ]);
    this.#settings = { rules, silences, at: now() };
    return this.#settings;
  }

  #judgeAll(rules: AlertRule[], at: number): Change[] {
    const changes: Change[] = [];
    const visited = new Set<string>();
    for (const rule of rules) {
      if (!rule.enabled) continue;
      for (const device of this.#inScope(rule)) {
        const id = instanceId(rule._id, device.id);
        visited.add(id);
        const instance = this.#instances.get(id) ?? newInstance(rule._id, device.id, at);
        const verdict = judge(rule.condition, device, at, isActive(instance));
        const s = step(instance, verdict, rule.forMs, at);
        if (s.changed) changes.push({ rule, next: s.next, event: s.event });
      }
    }
    // Alerts whose rule was deleted or disabled, or whose device left the scope, resolve.
    for (const [id, instance] of this.#instances) {
      if (visited.has(id) || instance.state === "ok") continue;
      const rule = this.#rules.get(instance.rule);
      const s = dropped(instance, at);
      if (rule) changes.push({ rule, next: s.next, event: s.event });
      else this.#instances.set(id, s.next);
    }
    return changes;
  }

  *#inScope(rule: AlertRule): Iterable<DeviceMemory> {
    const scope = rule.scope;
    if (scope.kind === "device") {
      const device = this.#memory.get(scope.device);
      if (device) yield device;
      return;
    }
    for (const device of this.#memory.devices()) {
      if (scope.kind === "all" || device.group === scope.group) yield device;
    }
  }

  /** Returns whether this node recorded the change's event (false: none, or already recorded). */
  async #write(change: Change, silences: Silence[], term: number, at: number): Promise<boolean> {
    const { db, logger, deliverer } = this.#deps;
    const c = alertCollections(db);
    const { rule, next, event } = change;
    let recorded = false;
    if (event) {
      const eventId = `${next._id}|${next.transitions}`;
      const quiet = silenced(silences, rule._id, next.device, at);
      try {
        await c.events.insertOne({
          _id: eventId,
          rule: rule._id,
          ruleName: rule.name,
          severity: rule.severity,
          device: next.device,
          event,
          value: next.value,
          valueText: describeValue(rule.condition, next.value),
          at: new Date(at),
          silenced: quiet,
          term,
        });
        recorded = true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        logger.warn("alert event already recorded by another evaluator", { event: eventId });
      }
      if (recorded && !quiet) {
        const docs = outboxDocs(eventId, event, rule, next, at);
        if (docs.length > 0) {
          await c.outbox.insertMany(docs, { ordered: false });
          deliverer.enqueue(docs);
        }
      }
      logger.info(`alert ${event}`, { rule: rule._id, device: next.device, value: next.value });
    }
    await c.instances.replaceOne({ _id: next._id }, next, { upsert: true });
    this.#instances.set(next._id, next);
    return recorded;
  }
}

function outboxDocs(
  eventId: string,
  event: AlertEvent,
  rule: AlertRule,
  alert: AlertInstance,
  at: number,
): OutboxDoc[] {
  const payload = buildPayload(eventId, event, rule, alert, new Date(at));
  const base = { event: eventId, rule: rule._id, payload, attempts: 0 };
  const when = { nextAttemptAt: new Date(at), createdAt: new Date(at) };
  return [
    ...rule.webhooks.map((target): OutboxDoc => ({
      _id: `${eventId}|webhook|${target}`,
      channel: "webhook",
      target,
      secret: rule.webhookSecret,
      ...base,
      ...when,
    })),
    ...rule.emails.map((target): OutboxDoc => ({
      _id: `${eventId}|email|${target}`,
      channel: "email",
      target,
      ...base,
      ...when,
    })),
  ];
}
