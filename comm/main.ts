/** Entry point of one comm node: `deno task start:comm --node cs0 --listen HOST:PORT …`. */
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { ConfigError } from "@fleetmon/shared/errors";
import { createLogger } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { loadCommConfig } from "./config.ts";
import { createMongoDeviceAuthority } from "./device_auth.ts";
import { createHealthServer } from "./health_server.ts";
import { startHeartbeat } from "./heartbeat.ts";
import { createCommServer } from "./server.ts";
import { createMongoStore, nullStore } from "./store.ts";

let config;
try {
  config = loadCommConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  createLogger({ service: "comm" }).error(error.message, { problems: error.problems });
  Deno.exit(2);
}
const logger = createLogger({ service: "comm", node: config.node, level: config.logLevel });
const database = await connectDatabase(config.mongodbUri, {
  appName: `fleetmon-comm/${config.node}`,
});
await ensureIndexes(database.db);
const store = config.store === "null" ? nullStore : createMongoStore(database.db);
if (config.store === "null") {
  logger.warn("readings are validated and acked but NOT stored (--store null)");
}
const server = createCommServer({
  ...config,
  logger,
  store,
  auth: createMongoDeviceAuthority(database.db),
  rate: { perSecond: config.ratePerSecond, burst: config.rateBurst },
  limits: { helloTimeoutMs: config.helloTimeoutMs, idleTimeoutMs: config.idleTimeoutMs },
});
const health = createHealthServer({
  listen: config.health,
  node: config.node,
  server,
  store,
});
const heartbeat = startHeartbeat({
  db: database.db,
  node: config.node,
  address: formatHostPort(server.addr),
  stats: server.stats,
  intervalMs: config.heartbeatMs,
  logger,
});
logger.info("listening", {
  addr: formatHostPort(server.addr),
  healthAddr: formatHostPort(health.addr),
});

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  logger.info("shutting down");
  await server.close({ timeoutMs: config.shutdownTimeoutMs });
  await heartbeat.stop();
  await health.close();
  await database.close();
  Deno.exit(0);
};
Deno.addSignalListener("SIGTERM", stop);
Deno.addSignalListener("SIGINT", stop);
