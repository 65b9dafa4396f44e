/**
 * The one way a long-running fleetmon process runs: load the configuration (else log every
 * problem and exit 2), make the logger, start (else log why and exit 1), and one rule for
 * signals: the first SIGTERM or SIGINT stops gracefully, a second one stops at once.
 *
 *   runService({
 *     name: "comm",
 *     loadConfig: loadCommConfig,
 *     logger: (config) => ({ node: config.node, level: config.logLevel }),
 *     start: (config, logger) => startCommNode(config, logger),
 *   });
 */
import { ConfigError } from "./errors.ts";
import { HelpRequested } from "./help.ts";
import { createLogger, type Logger, type LogLevel } from "./log.ts";

export type Env = Record<string, string | undefined>;

/** What a started service must offer: a graceful stop. */
export interface Stoppable {
  close(): Promise<void>;
}

export interface ServiceControl {
  /** Stops the service gracefully, as a first signal would, then exits with `code`. */
  stop(code: number): void;
}

export interface ServiceDefinition<C, S extends Stoppable> {
  /** The logger's `service` field: "comm", "web", "lb", "agent". */
  name: string;
  /** Reads and validates the configuration; throws (a ConfigError lists every problem). */
  loadConfig(args: string[], env: Env): C;
  /** The logger's node id and level, from the configuration. */
  logger(config: C): { node?: string; level?: LogLevel };
  start(config: C, logger: Logger, control: ServiceControl): Promise<S> | S;
  /** More signals and what they do to the running service, e.g. lb's SIGHUP reload. */
  signals?: Partial<Record<Deno.Signal, (service: S) => void>>;
}

/** The process around a service: Deno's, or a test's stand-in. */
export interface ServiceHost {
  args: string[];
  env: Env;
  /** Where log lines go; standard output unless given. */
  write?: (line: string) => void;
  onSignal(signal: Deno.Signal, handler: () => void): void;
  exit(code: number): void;
}

/** This process: its arguments, environment and signals; `exit` ends it. */
export const denoHost: ServiceHost = {
  get args() {
    return Deno.args;
  },
  get env() {
    return Deno.env.toObject();
  },
  onSignal: (signal, handler) => Deno.addSignalListener(signal, handler),
  exit: (code) => Deno.exit(code),
};

export const STOP_SIGNALS = ["SIGTERM", "SIGINT"] as const;
export type StopSignal = typeof STOP_SIGNALS[number];

/** The exit code of a stop cut short by a second signal: 128 + the signal's number, as shells do. */
export const EXIT_AT_ONCE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Loads the configuration with `load`, or logs what is wrong (every problem of a ConfigError)
 * and exits 2. Returns undefined only where `host.exit` returns (in tests).
 */
export function loadConfigOrExit<C>(
  name: string,
  load: (args: string[], env: Env) => C,
  host: ServiceHost = denoHost,
): C | undefined {
  try {
    return load(host.args, host.env);
  } catch (error) {
    if (error instanceof HelpRequested) {
      (host.write ?? ((text) => Deno.stdout.writeSync(new TextEncoder().encode(text))))(
        error.text + "\n",
      );
      host.exit(0);
      return undefined;
    }
    const problems = error instanceof ConfigError ? error.problems : undefined;
    createLogger({ service: name, write: host.write })
      .error(error instanceof Error ? error.message : String(error), { problems });
    host.exit(2);
    return undefined;
  }
}

/**
 * The signal rule: the first SIGTERM or SIGINT calls `first`; a second one, while that stop is
 * still under way, logs and exits at once with EXIT_AT_ONCE.
 */
export function onStopSignals(
  logger: Logger,
  first: (signal: StopSignal) => void,
  host: ServiceHost = denoHost,
): void {
  let stopping = false;
  for (const signal of STOP_SIGNALS) {
    host.onSignal(signal, () => {
      if (stopping) {
        logger.warn("stopping at once", { signal });
        host.exit(EXIT_AT_ONCE[signal]);
        return;
      }
      stopping = true;
      first(signal);
    });
  }
}

/** Runs a service until a signal or `control.stop` ends it; see the module's comment. */
export async function runService<C, S extends Stoppable>(
  definition: ServiceDefinition<C, S>,
  host: ServiceHost = denoHost,
): Promise<void> {
  const config = loadConfigOrExit(definition.name, definition.loadConfig, host);
  if (config === undefined) return;
  const logger = createLogger({
    service: definition.name,
    ...definition.logger(config),
    write: host.write,
  });
  let service: S | undefined;
  let stopping: Promise<void> | undefined;
  let started: () => void;
  const ready = new Promise<void>((resolve) => started = resolve);
  const stop = (code: number) => {
    stopping ??= ready.then(() => service!.close()).then(
      () => {
        logger.info("stopped");
        host.exit(code);
      },
      (error) => {
        logger.error("shutdown failed", { error });
        host.exit(1);
      },
    );
  };
  onStopSignals(logger, (signal) => {
    logger.info("stopping", { signal });
    stop(0);
  }, host);
  // Listened to before the start, so a signal that comes as the service says it is ready (a
  // SIGHUP right after lb's "listening") reaches it once started instead of killing the process.
  for (const [signal, handler] of Object.entries(definition.signals ?? {})) {
    host.onSignal(signal as Deno.Signal, () => {
      ready.then(() => {
        if (!stopping) handler(service!);
      });
    });
  }
  try {
    service = await definition.start(config, logger, { stop });
  } catch (error) {
    logger.error("cannot start", { error });
    host.exit(1);
    return;
  }
  started!();
}
