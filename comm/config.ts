/** comm's configuration: defaults, then --config FILE, then COMM_* env, then flags. */
import { z } from "zod";
import {
  booleanSchema,
  loadConfig,
  logLevelSchema,
  millisecondsSchema,
  nodeIdSchema,
  stringFlagsWithEnv,
} from "@fleetmon/shared/config";
import { mongodbUriWithPassword } from "@fleetmon/shared/db";
import { hostPortSchema } from "@fleetmon/shared/net";

const positive = z.coerce.number().int().positive();

export const commConfigSchema = z.object({
  node: nodeIdSchema,
  listen: hostPortSchema.prefault("127.0.0.1:7101"),
  health: hostPortSchema.prefault("127.0.0.1:7111"),
  mongodbUri: z.string().regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// URI"),
  /** Readings per insert: under load, more of a device's readings share a chunk (docs/data.md). */
  maxBatch: positive.default(20_000),
  /** The linger: how long a reading waits for more of its device's readings to share a chunk. */
  flushIntervalMs: millisecondsSchema.default(250),
  highWater: positive.default(40_000),
  ratePerSecond: positive.default(100),
  rateBurst: positive.default(200),
  helloTimeoutMs: millisecondsSchema.default(10_000),
  idleTimeoutMs: millisecondsSchema.default(120_000),
  heartbeatMs: millisecondsSchema.default(5_000),
  shutdownTimeoutMs: millisecondsSchema.default(10_000),
  logLevel: logLevelSchema.default("info"),
  /** "null" drops readings after validation: only for measuring comm itself. */
  store: z.enum(["mongodb", "null"]).default("mongodb"),
  /** Expect a PROXY protocol v1/v2 header from lb(comm) (its --proxy-protocol). */
  proxyProtocol: booleanSchema.default(false),
  /** Write concern of readings: "majority", or a number of members to wait for (docs/data.md). */
  writeConcern: z.union([z.literal("majority"), z.coerce.number().int().min(0).max(50)])
    .default("majority"),
  /** How long each tier keeps readings, and how often a node sweeps (0: never). */
  retentionRawMs: millisecondsSchema.default(7 * 86_400_000),
  retention1mMs: millisecondsSchema.default(90 * 86_400_000),
  retention1hMs: millisecondsSchema.default(2 * 365 * 86_400_000),
  retentionSweepMs: millisecondsSchema.default(3_600_000),
}).refine((c) => c.highWater >= c.maxBatch, {
  path: ["highWater"],
  message: "must be at least maxBatch",
});

export type CommConfig = z.output<typeof commConfigSchema>;

const FLAGS = [
  "node",
  "listen",
  "health",
  "mongodb-uri",
  "max-batch",
  "flush-interval-ms",
  "high-water",
  "rate-per-second",
  "rate-burst",
  "hello-timeout-ms",
  "idle-timeout-ms",
  "heartbeat-ms",
  "shutdown-timeout-ms",
  "log-level",
  "store",
  "proxy-protocol",
  "write-concern",
  "retention-raw-ms",
  "retention-1m-ms",
  "retention-1h-ms",
  "retention-sweep-ms",
] as const;

export function loadCommConfig(args: string[], env: Record<string, string | undefined>) {
  const { flags, envKeys } = stringFlagsWithEnv("COMM", FLAGS);
  const config = loadConfig("comm", commConfigSchema, {
    args,
    env,
    flags,
    envKeys: { MONGODB_URI: "mongodbUri", ...envKeys },
  });
  return { ...config, mongodbUri: mongodbUriWithPassword("comm", config.mongodbUri, env) };
}
