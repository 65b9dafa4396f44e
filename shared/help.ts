/**
 * `--help` for every service that loads its configuration with shared/config.ts: the settings
 * come from the service's own flag and environment tables and its schema's defaults, so the help
 * can never drift from what the loader accepts.
 */
import type { z } from "zod";

/** Thrown by loadConfig when the arguments ask for help; runService prints `text` and exits 0. */
export class HelpRequested extends Error {
  override name = "HelpRequested";
  readonly text: string;
  constructor(text: string) {
    super(text);
    this.text = text;
  }
}

export function wantsHelp(args: readonly string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/** What each service is and where its settings are explained. */
const ABOUT: Record<string, { what: string; run: string; docs: string }> = {
  comm: {
    what: "a comm node: devices' TCP connections, validated readings stored in batches, acks",
    run: "deno task start:comm",
    docs: "docs/comm.md",
  },
  web: {
    what: "a web node: the HTTPS dashboard and JSON API",
    run: "deno task start:web",
    docs: "docs/web.md",
  },
  lb: {
    what: "a round-robin TCP load balancer with health checks, drain and a status page",
    run: "deno task start:lb",
    docs: "docs/lb.md",
  },
  agent: {
    what: "the device agent: this host's metrics to lb(comm)",
    run: "deno task agent",
    docs: "docs/devices.md",
  },
  sim: {
    what: "simulated devices through lb(comm), then an audit of every ack",
    run: "deno task sim",
    docs: "docs/devices.md",
  },
  db: {
    what: "the local database (FerretDB) on its own, for benchmarks and scripts",
    run: "deno task db:local",
    docs: "README.md (Tests)",
  },
};

interface HelpSources {
  flags: Record<string, { type: "string" | "boolean"; multiple?: boolean }>;
  envKeys: Record<string, string>;
}

/** The help text of `service`: each setting's flag, environment variables and default. */
export function formatConfigHelp(
  service: string,
  schema: z.ZodType,
  sources: HelpSources,
): string {
  const about = ABOUT[service] ?? { what: service, run: service, docs: "README.md" };
  const shape = (schema as unknown as { shape?: Record<string, z.ZodType> }).shape ?? {};
  const rows = Object.entries(sources.flags).map(([flag, spec]) => {
    const key = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const env = Object.entries(sources.envKeys).filter(([, k]) => k === key).map(([e]) => e);
    const option = `--${flag}${spec.type === "string" ? " VALUE" : ""}${
      spec.multiple ? " (repeatable)" : ""
    }`;
    const fallback = key === "node"
      ? `this host's short name (${describeDefault(shape[key])})`
      : describeDefault(shape[key]);
    return [option, env.join(", "), fallback];
  });
  const width = (i: number) => Math.max(...rows.map((r) => r[i].length), 0) + 2;
  const [w0, w1] = [width(0), width(1)];
  return [
    `${about.run}: ${about.what}.`,
    "",
    `Usage: ${about.run} [--config FILE.json] [settings]`,
    "",
    "Settings (flag, environment variable, default):",
    ...rows.map(([flag, env, def]) => `  ${flag.padEnd(w0)}${env.padEnd(w1)}${def}`.trimEnd()),
    "",
    "Later wins: defaults, then --config FILE (a JSON object of the same settings, camelCase),",
    "then the environment, then flags. Durations are milliseconds. A bad setting stops the start",
    `with every problem listed (exit status 2). More: ${about.docs}.`,
  ].join("\n");
}

function describeDefault(field: z.ZodType | undefined): string {
  if (!field) return "";
  const result = field.safeParse(undefined);
  if (!result.success) return "(required)";
  const value: unknown = result.data;
  if (value === undefined) return "";
  if (typeof value === "object" && value !== null && "hostname" in value && "port" in value) {
    const { hostname, port } = value as { hostname: string; port: number };
    return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
  }
  if (value instanceof Uint8Array) return value.length === 0 ? "" : JSON.stringify(value);
  if (Array.isArray(value) && value.length === 0) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}
