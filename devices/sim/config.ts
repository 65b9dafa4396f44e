/** The simulator's configuration: defaults, then --config FILE, then env, then flags. */
import { z } from "zod";
import {
  loadConfig,
  logLevelSchema,
  millisecondsSchema,
  stringFlagsWithEnv,
} from "@fleetmon/shared/config";
import { type LocalTopology, localTopology, mongodbUriWithPassword } from "@fleetmon/shared/db";
import { hostPortSchema } from "@fleetmon/shared/net";

export const simConfigSchema = z.object({
  devices: z.coerce.number().int().min(1).max(100_000).default(10),
  /**
   * Readings per second per device. 0.2 (one every 5 s) by default: 1,000 devices at 1/s outrun
   * the embedded FerretDB on a busy 2-core machine (see docs/devices.md).
   */
  rate: z.coerce.number().positive().max(1_000).default(0.2),
  /** Seconds of sending; 0 means until SIGINT or SIGTERM. */
  duration: z.coerce.number().min(0).default(60),
  target: hostPortSchema.prefault("127.0.0.1:7000"),
  mongodbUri: z.string().regex(/^mongodb(\+srv)?:\/\//, "expected a mongodb:// URI"),
  prefix: z.string().regex(/^[A-Za-z0-9._:-]{1,40}$/, "expected 1-40 of A-Z a-z 0-9 . _ : -")
    .default("sim"),
  /** New connections per second while starting. */
  connectRate: z.coerce.number().positive().default(500),
  connectTimeoutMs: millisecondsSchema.default(90_000),
  /** How long to wait for the last acks once sending stopped. */
  drainTimeoutMs: millisecondsSchema.default(5_000),
  bufferLimit: z.coerce.number().int().positive().default(10_000),
  seed: z.coerce.number().int().default(1),
  /** Length of a simulated day, so daily shapes show in a short run. */
  cycleMs: millisecondsSchema.pipe(z.number().min(1_000)).default(600_000),
  progressMs: millisecondsSchema.pipe(z.number().min(100)).optional(),
  logLevel: logLevelSchema.default("info"),
});

export type SimConfig = z.output<typeof simConfigSchema>;

const FLAGS = [
  "devices",
  "rate",
  "duration",
  "target",
  "mongodb-uri",
  "prefix",
  "connect-rate",
  "connect-timeout-ms",
  "drain-timeout-ms",
  "buffer-limit",
  "seed",
  "cycle-ms",
  "progress-ms",
  "log-level",
] as const;

/**
 * Without a database URI, the database (and lb(comm)) of the `deno task start` running on this
 * machine, if one is (.data/local.json).
 */
export function loadSimConfig(
  args: string[],
  env: Record<string, string | undefined>,
  local: (env: Record<string, string | undefined>) => LocalTopology | undefined = localTopology,
) {
  const { flags, envKeys } = stringFlagsWithEnv("SIM", FLAGS);
  const given = env.MONGODB_URI || env.SIM_MONGODB_URI ||
    args.some((a) => a.startsWith("--mongodb-uri"));
  const found = given ? undefined : local(env);
  const config = loadConfig("sim", simConfigSchema, {
    args,
    env: found ? { SIM_TARGET: found.lbComm, ...env, MONGODB_URI: found.mongodbUri } : env,
    flags,
    envKeys: { MONGODB_URI: "mongodbUri", ...envKeys },
  });
  return { ...config, mongodbUri: mongodbUriWithPassword("sim", config.mongodbUri, env) };
}
