/**
 * startCommNode: everything one comm node runs, wired together: database, device server, health
 * and metrics port, heartbeat. close() shuts down in order: the device server drains (devices are
 * told to reconnect, what is in flight is stored and acked), then the retention sweeps, the
 * heartbeat, the health port and the database stop; it returns within --shutdown-timeout-ms even
 * when the database is slow, so the process exits in that bound.
 */
import { delay } from "@fleetmon/shared/delay";
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { assertCurrentLayout } from "@fleetmon/shared/readings";
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { CommConfig } from "./config.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createHealthServer } from "./health_server.ts";
import { startRetentionSweeps } from "./retention.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { type CommServer, createCommServer } from "./server.ts";
import { createMongoStore, nullStore } from "./store.ts";

export interface CommNode {
  /** Where devices connect. */
  addr: HostPort;
  /** Where `/healthz` and `/metrics` answer. */
  healthAddr: HostPort;
  server: CommServer;
  close(): Promise<void>;
}

export async function startCommNode(config: CommConfig, logger: Logger): Promise<CommNode> {
  const database = await connectDatabase(config.mongodbUri, {
    appName: `fleetmon-comm/${config.node}`,
  });
  let server: CommServer | undefined;
  try {
    await ensureIndexes(database.db);
    await assertCurrentLayout(database.db);
    const store = config.store === "null" ? nullStore : createMongoStore(database.db, {
      node: config.node,
      writeConcern: config.writeConcern,
    });
    if (config.store === "null") {
      logger.warn("readings are validated and acked but NOT stored (--store null)");
    }
    server = createCommServer({
      ...config,
      logger,
      store,
      auth: createMongoDeviceAuthority(database.db),
      rate: { perSecond: config.ratePerSecond, burst: config.rateBurst },
      limits: { helloTimeoutMs: config.helloTimeoutMs, idleTimeoutMs: config.idleTimeoutMs },
    });
    const health = createHealthServer({ listen: config.health, node: config.node, server, store });
    const retention = config.store === "null" ? undefined : startRetentionSweeps({
      db: database.db,
      everyMs: config.retentionSweepMs,
      policy: {
        rawMs: config.retentionRawMs,
        minuteMs: config.retention1mMs,
        hourMs: config.retention1hMs,
      },
      logger,
    });
    const batcher = server.batcher;
    const heartbeat = startHeartbeat({
      db: database.db,
      node: config.node,
      address: formatHostPort(server.addr),
      stats: server.stats,
      intervalMs: config.heartbeatMs,
      logger,
      pending: () => batcher.pending,
    });
    logger.info("listening", {
      addr: formatHostPort(server.addr),
      healthAddr: formatHostPort(health.addr),
    });

    const running = server;
    let closing: Promise<void> | undefined;
    return {
      addr: server.addr,
      healthAddr: health.addr,
      server,
      close() {
        closing ??= (async () => {
          const timeoutMs = config.shutdownTimeoutMs;
          const stopped = (async () => {
            // The drain gets nine tenths of the bound; the rest stops in what is left.
            await running.close({ timeoutMs: Math.round(timeoutMs * 0.9) });
            await retention?.stop();
            await heartbeat.stop();
            await health.close();
            await database.close();
            return true;
          })();
          const timeUp = new AbortController();
          const inTime = await Promise.race([
            stopped,
            delay(timeoutMs, timeUp.signal).then(() => false),
          ]);
          timeUp.abort();
          if (!inTime) {
            logger.warn("stopping unfinished: --shutdown-timeout-ms ran out", { timeoutMs });
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await server?.close({ timeoutMs: 0 });
    await database.close();
    throw error;
  }
}
