/**
 * Starts fleetmon services (or any command) as child processes, follows their JSON-lines output,
 * waits for a "ready" line, and stops them: SIGTERM, then SIGKILL after a grace period. One helper
 * for `deno task start`, the benchmarks and the multi-process tests:
 *
 *   await using lb = await startService({ name: "lb", args: ["run", "-A", "lb/main.ts", …],
 *     ready: isListening });
 *   const addr = lb.readyEntry!.addr;
 *   await lb.waitFor((entry) => entry.msg === "backend state changed" && entry.to === "down");
 */

export interface ServiceSpec {
  name: string;
  /** The Deno script and its arguments, or any command with `command`. */
  args: string[];
  command?: string;
  cwd?: string | URL;
  env?: Record<string, string>;
  /** Where to keep the child's output; omitted means in memory only. */
  logFile?: string;
  /** Whether a parsed JSON log line means the service is ready. */
  ready?: (entry: Record<string, unknown>) => boolean;
  readyTimeoutMs?: number;
  /** How long `stop` waits after SIGTERM before SIGKILL; 10 s unless given. */
  stopGraceMs?: number;
  /** Receives every line the child writes (stdout and stderr). */
  onLine?: (line: string, entry: Record<string, unknown> | undefined) => void;
  /**
   * Run the child in a session of its own (setsid), so a terminal's Ctrl-C reaches only the
   * supervisor, which then stops the children in order.
   */
  ownSession?: boolean;
}

export interface Service {
  name: string;
  child: Deno.ChildProcess;
  /** Every JSON line the child wrote so far. */
  entries: Record<string, unknown>[];
  /** The ready line. */
  readyEntry: Record<string, unknown> | undefined;
  /** The last lines the child wrote (stdout and stderr), for error messages. */
  tail(): string;
  /** Waits for a JSON line matching `match` (already seen or yet to come). */
  waitFor(
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  exited: Promise<Deno.CommandStatus>;
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startService(spec: ServiceSpec): Promise<Service> {
  const command = spec.command ?? Deno.execPath();
  const child = new Deno.Command(spec.ownSession ? "setsid" : command, {
    args: spec.ownSession ? [command, ...spec.args] : spec.args,
    cwd: spec.cwd,
    env: { NO_COLOR: "1", ...spec.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const entries: Record<string, unknown>[] = [];
  const tail: string[] = [];
  let waiters: (() => void)[] = [];
  const log = spec.logFile
    ? await Deno.open(spec.logFile, { append: true, create: true })
    : undefined;
  const encoder = new TextEncoder();
  const onLine = (line: string) => {
    log?.writeSync(encoder.encode(line + "\n"));
    tail.push(line);
    if (tail.length > 20) tail.shift();
    let entry: Record<string, unknown> | undefined;
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed === "object") entry = parsed;
    } catch {
      // not JSON: plain output, kept in the log
    }
    if (entry) entries.push(entry);
    spec.onLine?.(line, entry);
    for (const wake of waiters) wake();
    waiters = [];
  };
  const pumps = Promise.all([readLines(child.stdout, onLine), readLines(child.stderr, onLine)]);
  let done: Deno.CommandStatus | undefined;
  const exited = child.status.then(async (status) => {
    await pumps;
    log?.close();
    done = status;
    for (const wake of waiters) wake();
    return status;
  });
  const lastLines = () => tail.length ? tail.join("\n  ") : "(no output)";

  const waitFor = async (
    match: (entry: Record<string, unknown>) => boolean,
    timeoutMs = 30_000,
  ) => {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    for (;;) {
      for (; seen < entries.length; seen++) if (match(entries[seen])) return entries[seen];
      if (done) {
        throw new Error(
          `${spec.name} exited with code ${done.code} before the expected line:\n  ${lastLines()}`,
        );
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`${spec.name}: no expected line within ${timeoutMs} ms:\n  ${lastLines()}`);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        timer = setTimeout(resolve, Math.min(left, 1_000));
      });
      clearTimeout(timer);
    }
  };

  let stopping: Promise<Deno.CommandStatus> | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; a second call waits for the first. */
  const stop = (graceMs = spec.stopGraceMs ?? 10_000) =>
    stopping ??= (async () => {
      if (!done) {
        signal(child, "SIGTERM");
        const timer = setTimeout(() => signal(child, "SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      return await exited;
    })();

  const service: Service = {
    name: spec.name,
    child,
    entries,
    readyEntry: undefined,
    tail: lastLines,
    waitFor,
    exited,
    stop,
    async [Symbol.asyncDispose]() {
      await stop();
    },
  };
  if (spec.ready) {
    try {
      service.readyEntry = await waitFor(spec.ready, spec.readyTimeoutMs ?? 30_000);
    } catch (error) {
      await stop(1_000);
      throw error;
    }
  }
  return service;
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // already gone
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) if (line.length > 0) onLine(line);
  }
  if (rest.length > 0) onLine(rest);
}

/** The "listening" line every fleetmon service logs once it accepts connections. */
export const isListening = (entry: Record<string, unknown>): boolean => entry.msg === "listening";
