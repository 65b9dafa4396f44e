/**
 * JSON-lines logger: one object per line with time, level, service, node and message.
 * The logger is passed to whoever logs, so tests can capture what is written.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line, e.g. one per connection or backend. */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  service: string;
  node?: string;
  level?: LogLevel;
  /** Receives each finished line, without its newline. Defaults to standard output. */
  write?: (line: string) => void;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const encoder = new TextEncoder();

export function writeToStdout(line: string): void {
  Deno.stdout.writeSync(encoder.encode(line + "\n"));
}

export function createLogger(options: LoggerOptions): Logger {
  const base: LogFields = { service: options.service };
  if (options.node) base.node = options.node;
  return makeLogger(base, RANK[options.level ?? "info"], options.write ?? writeToStdout);
}

function makeLogger(base: LogFields, minRank: number, write: (line: string) => void): Logger {
  const emit = (level: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[level] < minRank) return;
    const entry = { time: new Date().toISOString(), level, ...base, msg, ...fields };
    write(JSON.stringify(entry, errorReplacer));
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
    child: (fields) => makeLogger({ ...base, ...fields }, minRank, write),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const out: LogFields = { name: value.name, message: value.message };
    if ("code" in value) out.code = value.code;
    if (value.cause !== undefined) out.cause = value.cause;
    return out;
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** A logger that keeps its lines in memory, for tests. */
export function createMemoryLogger(service = "test"): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({
    service,
    level: "debug",
    write: (line) => lines.push(JSON.parse(line)),
  });
  return Object.assign(logger, { lines });
}
