/** The web node's configuration: one zod schema, read once at start-up (docs/web.md). */
import { z } from "zod";
import {
  booleanSchema,
  type ConfigSources,
  loadConfig,
  logLevelSchema,
  millisecondsSchema,
  nodeIdSchema,
} from "@fleetmon/shared/config";
import { mongodbUriWithPassword } from "@fleetmon/shared/db";
import { hostPortSchema } from "@fleetmon/shared/net";
import { DEFAULT_SESSION_TTL_MS } from "./sessions.ts";

export const webConfigSchema = z.object({
  node: nodeIdSchema,
  listen: hostPortSchema.default({ hostname: "127.0.0.1", port: 8101 }),
  cert: z.string().min(1).default("./certs/cert.pem"),
  key: z.string().min(1).default("./certs/key.pem"),
  mongodbUri: z.string().regex(
    /^mongodb(\+srv)?:\/\//,
    "must start with mongodb:// or mongodb+srv://",
  ),
  logLevel: logLevelSchema.default("info"),
  sessionTtlMs: millisecondsSchema.min(1000).default(DEFAULT_SESSION_TTL_MS),
  /** Comma-separated origins users reach the dashboard at; see AppDeps.publicOrigins. */
  publicOrigin: z.string().default("").transform((text, ctx) => {
    const origins = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const origin of origins) {
      let url: URL | undefined;
      try {
        url = new URL(origin);
      } catch { /* reported below */ }
      if (!url || !/^https?:$/.test(url.protocol) || url.origin !== origin.replace(/\/$/, "")) {
        ctx.addIssue({
          code: "custom",
          message: `"${origin}" is not an origin like https://fleet.example.com:8443`,
        });
      }
    }
    return origins.map((origin) => origin.replace(/\/$/, ""));
  }),
  /** Load balancers' admin APIs for /cluster: `lb-comm=http://10.0.0.5:9000,lb-web=http://…`. */
  lbAdmin: z.string().default("").transform((text, ctx) => {
    const targets = [];
    for (const item of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
      const match = /^([A-Za-z0-9._-]{1,64})=(https?:\/\/[^\s/]+)\/?$/.exec(item);
      if (!match) {
        ctx.addIssue({ code: "custom", message: `"${item}" is not NAME=http://HOST:PORT` });
        continue;
      }
      targets.push({ name: match[1], url: match[2] });
    }
    return targets;
  }),
  /**
   * The file holding a load balancer's admin token; `{name}` stands for the lb's name, so each lb
   * may have its own (`/etc/fleetmon/secrets/{name}.admin-token`, as the launcher writes them).
   */
  lbAdminTokenFile: z.string().min(1).optional(),
  /** Workers that check passwords (argon2id) off the main thread. */
  passwordWorkers: z.coerce.number().int().min(1).max(16).default(1),
  /** Take part in alert evaluation (only the holder of the alerts lease evaluates). */
  alerts: booleanSchema.default(true),
  alertTickMs: millisecondsSchema.min(50).max(60_000).default(1_000),
  alertLeaseTtlMs: millisecondsSchema.min(500).max(600_000).default(10_000),
  smtpUrl: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional(),
  smtpFrom: z.string().min(3).max(254).default("fleetmon <fleetmon@localhost>"),
});

export type WebConfig = z.output<typeof webConfigSchema>;

export const WEB_FLAGS: ConfigSources["flags"] = {
  node: { type: "string" },
  listen: { type: "string" },
  cert: { type: "string" },
  key: { type: "string" },
  "mongodb-uri": { type: "string" },
  "log-level": { type: "string" },
  "session-ttl-ms": { type: "string" },
  "public-origin": { type: "string" },
  "password-workers": { type: "string" },
  "lb-admin": { type: "string" },
  "lb-admin-token-file": { type: "string" },
  alerts: { type: "string" },
  "alert-tick-ms": { type: "string" },
  "alert-lease-ttl-ms": { type: "string" },
  "smtp-url": { type: "string" },
  "smtp-from": { type: "string" },
};

export const WEB_ENV_KEYS: ConfigSources["envKeys"] = {
  WEB_NODE: "node",
  WEB_LISTEN: "listen",
  WEB_CERT: "cert",
  WEB_KEY: "key",
  MONGODB_URI: "mongodbUri",
  LOG_LEVEL: "logLevel",
  WEB_SESSION_TTL_MS: "sessionTtlMs",
  WEB_PUBLIC_ORIGIN: "publicOrigin",
  WEB_PASSWORD_WORKERS: "passwordWorkers",
  WEB_LB_ADMIN: "lbAdmin",
  WEB_LB_ADMIN_TOKEN_FILE: "lbAdminTokenFile",
  WEB_ALERTS: "alerts",
  WEB_ALERT_TICK_MS: "alertTickMs",
  WEB_ALERT_LEASE_TTL_MS: "alertLeaseTtlMs",
  SMTP_URL: "smtpUrl",
  SMTP_FROM: "smtpFrom",
};

/** Throws ConfigError listing every problem. */
export function loadWebConfig(args: string[], env: Record<string, string | undefined>): WebConfig {
  const config = loadConfig("web", webConfigSchema, {
    args,
    env,
    envKeys: WEB_ENV_KEYS,
    flags: WEB_FLAGS,
  });
  return { ...config, mongodbUri: mongodbUriWithPassword("web", config.mongodbUri, env) };
}
