/**
 * lb's configuration: flags, `LB_*` environment variables and an optional `--config FILE` (JSON),
 * validated once at start-up by the shared loader. See docs/lb.md for every setting.
 *
 * A backend is written `[ID=]HOST:PORT[,check=[HOST:]PORT][,proxy=v1|v2|off]`, e.g.
 * `cs0=127.0.0.1:7101,check=7111` (health checks go to port 7111 on the same host), or in a
 * JSON file as `{ "id": "cs0", "address": "127.0.0.1:7101", "check": "127.0.0.1:7111" }`.
 */
import { z } from "zod";
import {
  booleanSchema,
  type FlagSpec,
  loadConfig,
  logLevelSchema,
  millisecondsSchema,
} from "@fleetmon/shared/config";
import { isLoopback } from "@fleetmon/shared/ip";
import { formatHostPort, type HostPort, hostPortSchema, parseHostPort } from "@fleetmon/shared/net";
import type { Logger } from "@fleetmon/shared/log";
import type { BackendSpec } from "./backend.ts";
import type { BalancerOptions } from "./balancer.ts";
import type { CheckSpec } from "./check_probe.ts";

const proxySchema = z.enum(["off", "v1", "v2"]);
const ID = /^[\w.:\[\]-]+$/;

/** A backend as written; `proxy` stays unset when the backend does not say. */
interface BackendEntry {
  id: string;
  address: HostPort;
  check?: HostPort;
  proxy?: z.infer<typeof proxySchema>;
}

function parseBackend(text: string): BackendEntry {
  const [first, ...options] = text.trim().split(",");
  const eq = first.indexOf("=");
  const addressText = eq >= 0 ? first.slice(eq + 1) : first;
  const address = parseHostPort(addressText);
  const entry: BackendEntry = { id: eq >= 0 ? first.slice(0, eq) : addressText, address };
  for (const option of options) {
    const [key, value = ""] = option.split("=", 2);
    if (key === "check") entry.check = parseCheckAddress(value, address);
    else if (key === "proxy") entry.proxy = proxySchema.parse(value);
    else throw new TypeError(`Cannot parse backend "${text}": unknown option "${key}"`);
  }
  return entry;
}

/** `7111` means the backend's host on port 7111. */
function parseCheckAddress(value: string, address: HostPort): HostPort {
  return /^\d+$/.test(value)
    ? parseHostPort(formatHostPort({ hostname: address.hostname, port: Number(value) }))
    : parseHostPort(value);
}

const backendObjectSchema = z.object({
  id: z.string().optional(),
  address: z.string(),
  check: z.string().optional(),
  proxyProtocol: proxySchema.optional(),
}).strict();

const backendSchema = z.union([z.string(), backendObjectSchema]).transform((value, ctx) => {
  try {
    if (typeof value === "string") return parseBackend(value);
    const address = parseHostPort(value.address);
    const check = value.check === undefined ? undefined : parseCheckAddress(value.check, address);
    return { id: value.id ?? value.address, address, check, proxy: value.proxyProtocol };
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
}).refine((entry) => ID.test(entry.id), {
  message: "backend id may hold only letters, digits and . _ - : [ ]",
});

/** One string (from env: whitespace-separated backends) or a list. */
const backendsSchema = z.preprocess(
  (value) => typeof value === "string" ? value.trim().split(/\s+/).filter(Boolean) : value,
  z.array(backendSchema).min(1, "give at least one backend"),
).refine((list) => new Set(list.map((b) => b.id)).size === list.length, {
  message: "backend ids must be unique",
});

/** `\r`, `\n`, `\t`, `\0`, `\\` and `\xHH` in send/expect strings. */
const escapedBytesSchema = z.string().transform((text) => {
  const unescaped = text.replace(/\\(x[0-9a-fA-F]{2}|[rnt0\\])/g, (_, code: string) => {
    const simple: Record<string, string> = { r: "\r", n: "\n", t: "\t", "0": "\0", "\\": "\\" };
    return simple[code] ?? String.fromCharCode(parseInt(code.slice(1), 16));
  });
  return Uint8Array.from(unescaped, (char) => char.charCodeAt(0));
});

const caFileSchema = z.string().transform((path, ctx) => {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: `Cannot read CA file: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const count = (min: number) => z.coerce.number().int().min(min);

export const lbConfigSchema = z.object({
  name: z.string().min(1).default("lb"),
  listen: hostPortSchema,
  backend: backendsSchema,
  admin: z.union([z.literal("off"), hostPortSchema]).prefault("127.0.0.1:0"),
  adminToken: z.string().min(8, "admin token must be at least 8 characters").optional(),
  check: z.enum(["tcp", "http", "https", "expect"]).default("tcp"),
  checkPath: z.string().startsWith("/").default("/healthz"),
  checkHost: z.string().min(1).optional(),
  checkCaFile: caFileSchema.optional(),
  checkSend: escapedBytesSchema.prefault(""),
  checkExpect: escapedBytesSchema.optional(),
  checkIntervalMs: millisecondsSchema.min(10).default(1000),
  checkTimeoutMs: millisecondsSchema.min(1).default(1000),
  rise: count(1).default(2),
  fall: count(1).default(3),
  proxyProtocol: proxySchema.default("off"),
  maxConnections: count(1).default(10_000),
  connectTimeoutMs: millisecondsSchema.min(1).default(3000),
  idleTimeoutMs: millisecondsSchema.default(300_000),
  retries: count(0).default(2),
  shutdownTimeoutMs: millisecondsSchema.default(10_000),
  engine: z.enum(["auto", "epoll", "deno"]).default("auto"),
  quickAck: booleanSchema.default(false),
  logLevel: logLevelSchema.default("info"),
}).superRefine((config, ctx) => {
  const problem = (path: string, message: string) =>
    ctx.addIssue({ code: "custom", path: [path], message });
  if (config.admin !== "off" && !isLoopback(config.admin.hostname) && !config.adminToken) {
    problem("admin", "a non-loopback admin address needs an admin token");
  }
  if (config.check === "expect" && !config.checkExpect?.length) {
    problem("checkExpect", "an expect check needs the bytes to expect");
  }
  if (config.quickAck && config.engine === "deno") {
    problem("quickAck", "quick ACKs need the epoll engine (the deno engine cannot set them)");
  }
  if (config.check === "https") {
    for (const entry of config.backend) {
      const proxy = entry.proxy ?? config.proxyProtocol;
      if (proxy !== "off" && !entry.check) {
        problem("backend", `${entry.id}: an https check cannot go to a PROXY protocol port`);
      }
    }
  }
});

export type LbConfig = z.output<typeof lbConfigSchema>;

const STRING_FLAGS = [
  "name",
  "listen",
  "admin",
  "admin-token",
  "check",
  "check-path",
  "check-host",
  "check-ca-file",
  "check-send",
  "check-expect",
  "check-interval-ms",
  "check-timeout-ms",
  "rise",
  "fall",
  "proxy-protocol",
  "max-connections",
  "connect-timeout-ms",
  "idle-timeout-ms",
  "retries",
  "shutdown-timeout-ms",
  "engine",
  "quick-ack",
  "log-level",
];

export const LB_FLAGS: FlagSpec = {
  ...Object.fromEntries(STRING_FLAGS.map((flag) => [flag, { type: "string" }])),
  backend: { type: "string", multiple: true },
};

/** `LB_CHECK_INTERVAL_MS` → `checkIntervalMs`, and `LB_BACKENDS` → `backend`. */
export const LB_ENV_KEYS: Record<string, string> = Object.fromEntries(
  Object.keys(LB_FLAGS).map((flag) => {
    const key = flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const name = flag === "backend" ? "LB_BACKENDS" : `LB_${flag.toUpperCase().replace(/-/g, "_")}`;
    return [name, key];
  }),
);

export function loadLbConfig(args: string[], env: Record<string, string | undefined>): LbConfig {
  return loadConfig("lb", lbConfigSchema, { args, env, envKeys: LB_ENV_KEYS, flags: LB_FLAGS });
}

/** What a reload can change while lb runs: the backends (and the PROXY default they inherit). */
const RELOADABLE = new Set<string>(["backend", "proxyProtocol"]);

/**
 * The settings that differ between the running config and a reloaded one but take effect only
 * with a restart (the listen and admin addresses, checks, timeouts, limits, the engine, …).
 */
export function settingsNeedingRestart(running: LbConfig, next: LbConfig): string[] {
  return Object.keys(next).filter((key) =>
    !RELOADABLE.has(key) &&
    JSON.stringify(running[key as keyof LbConfig]) !== JSON.stringify(next[key as keyof LbConfig])
  );
}

export function balancerOptionsFromConfig(config: LbConfig, logger: Logger): BalancerOptions {
  const backends: BackendSpec[] = config.backend.map((entry) => {
    const proxy = entry.proxy ?? config.proxyProtocol;
    return {
      id: entry.id,
      address: entry.address,
      check: entry.check,
      proxyProtocol: proxy === "off" ? undefined : proxy,
    };
  });
  return {
    name: config.name,
    listen: config.listen,
    admin: config.admin === "off" ? null : config.admin,
    adminToken: config.adminToken,
    backends,
    check: checkSpec(config),
    checkIntervalMs: config.checkIntervalMs,
    checkTimeoutMs: config.checkTimeoutMs,
    rise: config.rise,
    fall: config.fall,
    maxConnections: config.maxConnections,
    connectTimeoutMs: config.connectTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
    retries: config.retries,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    engine: config.engine,
    quickAck: config.quickAck,
    logger,
  };
}

function checkSpec(config: LbConfig): CheckSpec {
  switch (config.check) {
    case "tcp":
      return { kind: "tcp" };
    case "expect":
      return { kind: "expect", send: config.checkSend, expect: config.checkExpect! };
    case "http":
    case "https":
      return {
        kind: "http",
        path: config.checkPath,
        tls: config.check === "https",
        host: config.checkHost,
        caCerts: config.checkCaFile === undefined ? undefined : [config.checkCaFile],
      };
  }
}
