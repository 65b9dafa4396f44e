/**
 * startAlerting: the alerting of one web node. Every node runs it; only the node holding the
 * "alerts" lease evaluates and delivers (docs/web.md, Alerts: why a lease). The lease is renewed
 * every ttl / 3; a tick runs every `tickMs` while it is held. On taking the lease the node reads
 * the alerts and the outbox as the last holder left them; on losing it, it forgets them.
 */
import type { Db } from "mongodb";
import { createLease } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import { every } from "../periodic.ts";
import { wakeable } from "./wakeable.ts";
import { createDeliverer } from "./delivery.ts";
import { Evaluator } from "./evaluator.ts";
import type { FleetReader } from "./fleet_reader.ts";
import type { Senders } from "./senders.ts";
import { pruneAlertLogs } from "./store.ts";

export const ALERTS_LEASE = "alerts";
/** Evaluations woken by readings start at least this far apart. */
export const MIN_TICK_GAP_MS = 200;
export const PRUNE_INTERVAL_MS = 3_600_000;

export interface AlertingOptions {
  db: Db;
  logger: Logger;
  node: string;
  fleet: FleetReader;
  senders: Senders;
  tickMs: number;
  leaseTtlMs: number;
  now?: () => number;
  /** Retry delay after the n-th failed attempt; default 1 s doubling up to 5 min. */
  backoff?: (attempts: number) => number;
}

export interface Alerting {
  /** Whether this node evaluates now. */
  evaluating(): boolean;
  stop(): Promise<void>;
}

export function startAlerting(options: AlertingOptions): Alerting {
  const { db, node, tickMs, leaseTtlMs } = options;
  const logger = options.logger.child({ part: "alerts" });
  const now = options.now ?? Date.now;
  const lease = createLease(db, { name: ALERTS_LEASE, holder: node, ttlMs: leaseTtlMs, now });
  const deliverer = createDeliverer({
    db,
    senders: options.senders,
    logger,
    now,
    backoff: options.backoff,
  });
  const evaluator = new Evaluator({
    db,
    logger,
    fleet: options.fleet,
    deliverer,
    now,
    rulesMaxAgeMs: Math.min(tickMs, 1_000),
  });
  let loadedTerm: number | undefined;
  let slowTicks = 0;

  const ticks = wakeable(async () => {
    const term = lease.heldTerm();
    if (term === undefined) {
      if (loadedTerm !== undefined) {
        loadedTerm = undefined;
        deliverer.clear();
      }
      return;
    }
    if (loadedTerm === undefined) {
      await Promise.all([evaluator.load(), deliverer.load()]);
      loadedTerm = term;
      deliverer.kick();
    }
    const result = await evaluator.tick(term, () => lease.held());
    deliverer.kick();
    if (result && result.ms > tickMs) {
      if (slowTicks++ % 60 === 0) {
        logger.warn("alert evaluation slower than its tick", { ...result });
      }
    }
  }, { intervalMs: tickMs, minGapMs: MIN_TICK_GAP_MS, logger, name: "alert evaluation" });
  const renewal = every(Math.max(50, Math.floor(leaseTtlMs / 3)), async () => {
    const before = lease.held();
    const status = await lease.renew();
    if (status.held && !before) {
      logger.info("evaluating alerts", { term: status.term });
      ticks.wake();
    }
    if (!status.held && before) {
      logger.warn("no longer evaluating alerts", { holder: status.holder, term: status.term });
    }
  }, { logger, name: "alerts lease renewal" });

  const prune = every(PRUNE_INTERVAL_MS, async () => {
    if (!lease.held()) return;
    const deleted = await pruneAlertLogs(db, now());
    if (deleted > 0) logger.info("old alert history and deliveries deleted", { count: deleted });
  }, { logger, name: "alert log pruning", runAtStart: false });

  // A new reading evaluates at once (coalesced), not at the next tick.
  const unsubscribe = options.fleet.onReading?.(() => {
    if (lease.held()) ticks.wake();
  });

  return {
    evaluating: () => lease.held(),
    async stop() {
      unsubscribe?.();
      await Promise.all([ticks.stop(), renewal.stop(), prune.stop()]);
      await deliverer.idle();
      await lease.release().catch((error) => logger.warn("alerts lease release failed", { error }));
      options.senders.close();
    },
  };
}
