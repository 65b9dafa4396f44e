/**
 * startWebNode: everything one web node runs, wired together: database, app, HTTPS server,
 * heartbeat and the expired-session sweep. close() shuts down in order: stop taking new work
 * (healthz answers 503, live streams end), finish in-flight requests, stop the timers, close the
 * database.
 */
import { connectDatabase, deleteDeviceChangesBefore, ensureIndexes } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import denoJson from "./deno.json" with { type: "json" };
import { createApp } from "./app.ts";
import { createFleet } from "./fleet/mod.ts";
import type { WebConfig } from "./config.ts";
import { HEARTBEAT_INTERVAL_MS, startHeartbeat } from "./heartbeat.ts";
import { createClusterReader, readLbToken } from "./cluster/view.ts";
import { every } from "./periodic.ts";
import { createWebServer } from "./server.ts";
import {
  type Alerting,
  createSenders,
  ensureAlertIndexes,
  firingAlerts,
  startAlerting,
} from "./alerts/mod.ts";
import { deleteExpiredSessions } from "./sessions.ts";
import { deleteEndedLoginWindows } from "./rate_limit.ts";
import { createStats } from "./stats.ts";
import { createWorkerHasher, type PasswordHasher } from "./login/password_hasher.ts";
import { deleteExpiredTrustedDevices } from "./login/trusted_devices.ts";
import { AuthCache } from "./login/auth_cache.ts";
import { readRevocations } from "./login/revocations.ts";
import type { Authenticated } from "./context.ts";

export const WEB_VERSION: string = denoJson.version;
export const SESSION_SWEEP_INTERVAL_MS = 60_000;
export const FLEET_SYNC_INTERVAL_MS = 500;
/** How often the cluster's revocation count is read (login/auth_cache.ts: trusted for 1 s). */
export const REVOCATION_CHECK_INTERVAL_MS = 250;
/** How long the device change feed keeps a change; a node further behind loads the fleet again. */
export const DEVICE_CHANGES_KEPT_MS = 15 * 60_000;

export interface WebNode {
  addr: string;
  /** SIGHUP: serve new connections with the certificate and key files as they are now. */
  reloadCertificate(): Promise<void>;
  close(): Promise<void>;
}

export async function startWebNode(config: WebConfig, logger: Logger): Promise<WebNode> {
  const database = await connectDatabase(config.mongodbUri, {
    appName: `fleetmon-web/${config.node}`,
  });
  const shutdown = new AbortController();
  let server;
  let hasher: PasswordHasher | undefined;
  let stopRevocationCheck = () => Promise.resolve();
  try {
    await Promise.all([ensureIndexes(database.db), ensureAlertIndexes(database.db)]);
    const stats = createStats();
    const fleet = createFleet({
      db: database.db,
      logger,
      firing: () => firingAlerts(database.db),
    });
    await fleet.sync();
    hasher = createWorkerHasher({ workers: config.passwordWorkers });
    if (config.publicOrigin.length === 0) {
      logger.warn("no --public-origin: the request's own Host is trusted for Origin checks", {});
    }
    const clusterReader = createClusterReader({
      db: database.db,
      self: config.node,
      lbs: config.lbAdmin,
      lbToken: config.lbAdminTokenFile ? readLbToken(config.lbAdminTokenFile) : undefined,
      now: Date.now,
    });
    const authCache = new AuthCache<Authenticated>({ now: Date.now });
    const revocationCheck = every(REVOCATION_CHECK_INTERVAL_MS, async () => {
      const startedAt = Date.now();
      authCache.observe(await readRevocations(database.db), startedAt);
    }, { logger, name: "revocation check" });
    stopRevocationCheck = () => revocationCheck.stop();
    const app = createApp({
      authCache,
      fleet,
      hasher,
      clusterReader,
      publicOrigins: config.publicOrigin,
      db: database.db,
      logger,
      nodeId: config.node,
      sessionTtlMs: config.sessionTtlMs,
      stats,
      signal: shutdown.signal,
    });
    server = await createWebServer({
      listen: config.listen,
      certFile: config.cert,
      keyFile: config.key,
      app,
      logger,
    });
    const startedAt = new Date();
    const heartbeat = startHeartbeat({
      db: database.db,
      logger,
      stats,
      node: {
        _id: config.node,
        version: WEB_VERSION,
        address: server.addr,
        host: Deno.hostname(),
        pid: Deno.pid,
        startedAt,
      },
    });
    const sweep = every(SESSION_SWEEP_INTERVAL_MS, async () => {
      const count = await deleteExpiredSessions(database.db, new Date());
      if (count > 0) logger.info("expired sessions deleted", { count });
      await deleteEndedLoginWindows(database.db, new Date());
      await deleteExpiredTrustedDevices(database.db, new Date());
      await deleteDeviceChangesBefore(database.db, new Date(Date.now() - DEVICE_CHANGES_KEPT_MS));
    }, { logger, name: "session sweep" });
    // The fleet index follows the change feed even when no one asks, for alerts' onReading.
    const fleetSync = every(FLEET_SYNC_INTERVAL_MS, () => fleet.sync(0), {
      logger,
      name: "fleet sync",
    });
    const alerting: Alerting | undefined = config.alerts
      ? startAlerting({
        db: database.db,
        logger,
        node: config.node,
        fleet: {
          latest: () => fleet.latestAll(),
          onReading: (listener) => fleet.onReading((device) => listener(device)),
        },
        senders: createSenders({ url: config.smtpUrl, from: config.smtpFrom }),
        tickMs: config.alertTickMs,
        leaseTtlMs: config.alertLeaseTtlMs,
      })
      : undefined;
    const clusterSampler = every(HEARTBEAT_INTERVAL_MS, () => clusterReader.sample(), {
      logger,
      name: "cluster sample",
    });
    logger.info("listening", { addr: server.addr, version: WEB_VERSION, pid: Deno.pid });

    const running = server;
    let closing: Promise<void> | undefined;
    return {
      addr: server.addr,
      async reloadCertificate() {
        try {
          await running.reloadCertificate();
          logger.info("certificate reloaded", { cert: config.cert, key: config.key });
        } catch (error) {
          logger.error("certificate reload refused: the running certificate stays", {
            cert: config.cert,
            key: config.key,
            error: (error as Error).message,
          });
        }
      },
      close() {
        closing ??= (async () => {
          shutdown.abort();
          await running.close();
          await Promise.all([
            heartbeat.stop(),
            sweep.stop(),
            fleetSync.stop(),
            alerting?.stop(),
            clusterSampler.stop(),
            stopRevocationCheck(),
          ]);
          hasher?.close();
          await database.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    shutdown.abort();
    await stopRevocationCheck();
    hasher?.close();
    await server?.close();
    await database.close();
    throw error;
  }
}
