/**
 * Configuration loading shared by every service: defaults (in the zod schema), then a JSON
 * file, then environment variables, then command-line flags. Validated once, at start-up,
 * with every problem listed in one ConfigError.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { formatConfigHelp, HelpRequested, wantsHelp } from "./help.ts";

export type Layer = Record<string, unknown>;

/** Command-line flag definitions, as node:util's parseArgs takes them. */
export type FlagSpec = Record<
  string,
  { type: "string" | "boolean"; multiple?: boolean; short?: string }
>;

export interface ConfigSources {
  args: string[];
  env: Record<string, string | undefined>;
  /** Environment variable name → config key. */
  envKeys: Record<string, string>;
  /** Flag name (kebab-case) → definition; the config key is its camelCase form. */
  flags: FlagSpec;
}

/** Reads a service's config from args, env and an optional `--config FILE`, and validates it. */
export function loadConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  sources: ConfigSources,
): z.output<S> {
  if (wantsHelp(sources.args)) throw new HelpRequested(formatConfigHelp(service, schema, sources));
  const problems: string[] = [];
  const flags = parseFlags(sources.args, sources.flags, problems);
  const env = envLayer(sources.env, sources.envKeys);
  const file = typeof flags.config === "string" ? readJsonFile(flags.config, problems) : {};
  delete flags.config;
  if (problems.length > 0) throw new ConfigError(service, problems);
  const hints = settingHints(sources);
  try {
    return parseConfig(service, schema, file, env, flags);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(service, error.problems.map((problem) => withHint(problem, hints)));
  }
}

/** Config key → how to set it, e.g. `mongodbUri` → `--mongodb-uri or MONGODB_URI`. */
function settingHints(sources: ConfigSources): Map<string, string> {
  const hints = new Map<string, string[]>();
  const add = (key: string, how: string) => hints.set(key, [...hints.get(key) ?? [], how]);
  for (const flag of Object.keys(sources.flags)) add(camelCase(flag), `--${flag}`);
  for (const [env, key] of Object.entries(sources.envKeys)) add(key, env);
  return new Map([...hints].map(([key, ways]) => [key, ways.join(" or ")]));
}

function withHint(problem: string, hints: Map<string, string>): string {
  const path = problem.slice(0, problem.indexOf(":"));
  const hint = hints.get(path.split(".")[0]);
  return hint ? `${path} (${hint})${problem.slice(path.length)}` : problem;
}

/** Merges layers (later wins; undefined never overrides) and validates the result. */
export function parseConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  ...layers: Layer[]
): z.output<S> {
  const merged: Layer = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) merged[key] = value;
    }
  }
  const result = schema.safeParse(merged);
  if (!result.success) throw new ConfigError(service, result.error.issues.map(describeIssue));
  return result.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join(".") : "(config)";
  const missing = issue.code === "invalid_type" && /received undefined$/.test(issue.message);
  return `${path}: ${missing ? "required" : issue.message}`;
}

export function envLayer(
  env: Record<string, string | undefined>,
  envKeys: Record<string, string>,
): Layer {
  const layer: Layer = {};
  for (const [name, key] of Object.entries(envKeys)) {
    const value = env[name];
    if (value !== undefined && value !== "") layer[key] = value;
  }
  return layer;
}

function parseFlags(args: string[], spec: FlagSpec, problems: string[]): Layer {
  try {
    const { values } = parseArgs({
      args,
      options: { ...spec, config: { type: "string" } },
      strict: true,
      allowPositionals: false,
    });
    const layer: Layer = {};
    for (const [flag, value] of Object.entries(values)) layer[camelCase(flag)] = value;
    return layer;
  } catch (error) {
    problems.push(`command line: ${(error as Error).message}`);
    return {};
  }
}

function readJsonFile(path: string, problems: string[]): Layer {
  try {
    const parsed = JSON.parse(Deno.readTextFileSync(path));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
      problems.push(`${path}: expected a JSON object`);
      return {};
    }
    return parsed;
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return {};
  }
}

function camelCase(flag: string): string {
  return flag.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

/**
 * String flags for `names` (kebab-case), each also settable as `PREFIX_NAME` in the environment,
 * e.g. `--max-batch` and `COMM_MAX_BATCH`.
 */
export function stringFlagsWithEnv(
  prefix: string,
  names: readonly string[],
): Pick<ConfigSources, "flags" | "envKeys"> {
  return {
    flags: Object.fromEntries(names.map((name) => [name, { type: "string" as const }])),
    envKeys: Object.fromEntries(
      names.map((
        name,
      ) => [`${prefix}_${name.toUpperCase().replaceAll("-", "_")}`, camelCase(name)]),
    ),
  };
}

/** Durations in config are milliseconds; env and flags give them as strings. */
export const millisecondsSchema = z.coerce.number().int().min(0);

/** Booleans from env or flags: true/false/1/0/yes/no. */
export const booleanSchema = z.union([
  z.boolean(),
  z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) =>
    ["true", "1", "yes"].includes(v)
  ),
]);

export const logLevelSchema = z.enum(["debug", "info", "warn", "error"]);

const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** This host's short name (`cs0` of `cs0.fleet.example`): a node's id unless one is given. */
export function shortHostname(): string {
  return Deno.hostname().split(".")[0];
}

/**
 * A node id (comm's COMM_NODE, web's WEB_NODE), by default the host's short name: a VM cloned
 * from cs0 and renamed cs2 is then a new node rather than a second cs0 overwriting its heartbeat.
 */
export const nodeIdSchema = z.string()
  .regex(NODE_ID, "expected 1-64 of A-Z a-z 0-9 . _ - (it defaults to the host's short name)")
  .default(shortHostname);
