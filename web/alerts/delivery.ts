/**
 * The outbox worker: delivers pending notifications, each on its own, so a dead webhook never
 * holds back a healthy one. A failed attempt is retried with exponential backoff (1 s, 2 s, 4 s …
 * capped at 5 min) up to MAX_ATTEMPTS; every attempt is written to the delivery log. Runs only on
 * the node holding the alerts lease, from an in-memory queue loaded from the outbox on takeover.
 */
import type { Db } from "mongodb";
import type { Logger } from "@fleetmon/shared/log";
import { DeliveryError, type Senders } from "./senders.ts";
import { alertCollections, type OutboxDoc } from "./store.ts";

export const MAX_ATTEMPTS = 10;
export const MAX_PARALLEL = 16;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 5 * 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryOptions {
  db: Db;
  senders: Senders;
  logger: Logger;
  now?: () => number;
  backoff?: (attempts: number) => number;
}

export interface Deliverer {
  /** Forgets the queue and reads the outbox again (on taking the lease). */
  load(): Promise<void>;
  enqueue(docs: OutboxDoc[]): void;
  /** Starts every due delivery not yet running; returns without waiting for them. */
  kick(): void;
  /** Waits for running deliveries (shutdown, tests). */
  idle(): Promise<void>;
  clear(): void;
  readonly size: number;
}

export function createDeliverer(options: DeliveryOptions): Deliverer {
  const { db, senders, logger } = options;
  const now = options.now ?? Date.now;
  const backoff = options.backoff ?? backoffMs;
  const c = alertCollections(db);
  let queue = new Map<string, OutboxDoc>();
  const running = new Map<string, Promise<void>>();

  async function send(doc: OutboxDoc): Promise<string> {
    if (doc.channel === "webhook") {
      return await senders.webhook(doc.target, doc.payload, doc.secret ?? "");
    }
    return await senders.email(doc.target, doc.payload);
  }

  async function attempt(doc: OutboxDoc, owner: Map<string, OutboxDoc>): Promise<void> {
    const started = performance.now();
    const attemptNo = doc.attempts + 1;
    let ok = false;
    let detail: string;
    let retryable = true;
    try {
      detail = await send(doc);
      ok = true;
    } catch (error) {
      detail = (error as Error).message;
      retryable = !(error instanceof DeliveryError) || error.retryable;
    }
    const final = ok || !retryable || attemptNo >= MAX_ATTEMPTS;
    const log = {
      outbox: doc._id,
      event: doc.event,
      rule: doc.rule,
      channel: doc.channel,
      target: doc.target,
      attempt: attemptNo,
      ok,
      detail: detail.slice(0, 500),
      final,
      at: new Date(now()),
      ms: Math.round(performance.now() - started),
    };
    if (final) {
      owner.delete(doc._id);
      await c.outbox.deleteOne({ _id: doc._id });
    } else {
      const next = {
        ...doc,
        attempts: attemptNo,
        nextAttemptAt: new Date(now() + backoff(attemptNo)),
      };
      owner.set(doc._id, next);
      await c.outbox.updateOne({ _id: doc._id }, {
        $set: { attempts: next.attempts, nextAttemptAt: next.nextAttemptAt },
      });
    }
    await c.deliveries.insertOne(log);
    const level = ok ? "info" : final ? "error" : "warn";
    logger[level]("alert notification " + (ok ? "delivered" : final ? "given up" : "failed"), {
      channel: doc.channel,
      target: doc.target,
      event: doc.event,
      attempt: attemptNo,
      detail: log.detail,
    });
  }

  const deliverer: Deliverer = {
    async load() {
      const docs = await c.outbox.find({}).toArray();
      queue = new Map(docs.map((doc) => [doc._id, doc]));
    },
    enqueue(docs) {
      for (const doc of docs) queue.set(doc._id, doc);
    },
    kick() {
      const t = now();
      const owner = queue;
      for (const doc of owner.values()) {
        if (running.size >= MAX_PARALLEL) return;
        if (running.has(doc._id) || doc.nextAttemptAt.getTime() > t) continue;
        const job = attempt(doc, owner)
          .catch((error) => logger.warn("alert delivery bookkeeping failed", { error }))
          .finally(() => running.delete(doc._id));
        running.set(doc._id, job);
      }
    },
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
    clear() {
      queue = new Map();
    },
    get size() {
      return queue.size;
    },
  };
  return deliverer;
}
