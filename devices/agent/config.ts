/**
 * The agent's configuration: defaults, then --config FILE, then FLEETMON_* env, then flags.
 * Under systemd, a token passed with LoadCredential=token:… is found in $CREDENTIALS_DIRECTORY.
 */
import { z } from "zod";
import { loadConfig, logLevelSchema, millisecondsSchema } from "@fleetmon/shared/config";
import { hostPortSchema } from "@fleetmon/shared/net";
import { deviceIdSchema } from "@fleetmon/shared/protocol";

const MAX_MOUNTS = 6;

export const agentConfigSchema = z.object({
  target: hostPortSchema.prefault("127.0.0.1:7000"),
  device: deviceIdSchema,
  token: z.string().min(1).optional(),
  tokenFile: z.string().min(1).optional(),
  intervalMs: millisecondsSchema.pipe(z.number().min(1_000)).default(10_000),
  bufferFile: z.string().min(1).optional(),
  bufferLimit: z.coerce.number().int().positive().default(50_000),
  mounts: z.string().default("/").transform((text) =>
    text.split(",").map((m) => m.trim()).filter((m) => m !== "")
  ).pipe(
    z.array(z.string().startsWith("/", "mount points are absolute paths")).min(1).max(MAX_MOUNTS),
  ),
  procRoot: z.string().default("/proc"),
  sysRoot: z.string().default("/sys"),
  logLevel: logLevelSchema.default("info"),
}).refine((c) => c.token !== undefined || c.tokenFile !== undefined, {
  path: ["token"],
  message: "give the device token with --token or --token-file (or FLEETMON_TOKEN[_FILE])",
});

export type AgentConfig = z.output<typeof agentConfigSchema>;

const FLAGS = [
  "target",
  "device",
  "token",
  "token-file",
  "interval-ms",
  "buffer-file",
  "buffer-limit",
  "mounts",
  "proc-root",
  "sys-root",
  "log-level",
] as const;

export function loadAgentConfig(args: string[], env: Record<string, string | undefined>) {
  const withCredential = { ...env };
  if (env.CREDENTIALS_DIRECTORY && !env.FLEETMON_TOKEN_FILE) {
    withCredential.FLEETMON_TOKEN_FILE = `${env.CREDENTIALS_DIRECTORY}/token`;
  }
  return loadConfig("agent", agentConfigSchema, {
    args,
    env: withCredential,
    flags: Object.fromEntries(FLAGS.map((flag) => [flag, { type: "string" as const }])),
    envKeys: {
      FLEETMON_TARGET: "target",
      FLEETMON_DEVICE: "device",
      FLEETMON_TOKEN: "token",
      FLEETMON_TOKEN_FILE: "tokenFile",
      FLEETMON_INTERVAL_MS: "intervalMs",
      FLEETMON_BUFFER_FILE: "bufferFile",
      FLEETMON_BUFFER_LIMIT: "bufferLimit",
      FLEETMON_MOUNTS: "mounts",
      FLEETMON_LOG_LEVEL: "logLevel",
    },
  });
}

/** The token itself: given directly, or the first line of the token file. */
export function readToken(config: AgentConfig, readTextFile = Deno.readTextFileSync): string {
  if (config.token) return config.token;
  const token = readTextFile(config.tokenFile!).trim();
  if (token === "") throw new Error(`Cannot start agent: token file ${config.tokenFile} is empty`);
  return token;
}
