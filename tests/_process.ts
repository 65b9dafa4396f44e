/**
 * Starts a service as a real process and follows its JSON-lines log, for multi-process tests.
 *
 *   await using lb = await startService([Deno.execPath(), "run", "-A", "lb/main.ts", ...args]);
 *   const listening = lb.ready;                       // the line that said it was ready
 *   await lb.waitFor((line) => line.msg === "backend state changed" && line.to === "down");
 *
 * The service is ready when it logs a line that `ready` accepts (by default `"msg":"listening"`).
 * `stop()` sends SIGTERM, waits for the exit (SIGKILL after `stopTimeoutMs`) and returns the
 * status; disposing does the same, so `await using` stops it even when the test fails.
 */

export type LogLine = Record<string, unknown>;

export interface ServiceOptions {
  env?: Record<string, string>;
  cwd?: string | URL;
  /** Accepts the log line that says the service is ready; defaults to `"msg":"listening"`. */
  ready?: (line: LogLine) => boolean;
  /** How long to wait for the ready line; defaults to 20 s. */
  timeoutMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL; defaults to 10 s. */
  stopTimeoutMs?: number;
}

export interface Service {
  readonly child: Deno.ChildProcess;
  /** Every stdout line so far, parsed; a line that is not JSON is kept as `{ raw }`. */
  readonly lines: LogLine[];
  /** The line that made the service ready. */
  readonly ready: LogLine;
  /** Standard error so far (its last 64 KiB). */
  stderr(): string;
  /** The first line, already logged or still to come, that `predicate` accepts. */
  waitFor(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  stop(): Promise<Deno.CommandStatus>;
  [Symbol.asyncDispose](): Promise<void>;
}

const isListening = (line: LogLine) => line.msg === "listening";
const STDERR_KEEP = 64 * 1024;

interface Waiter {
  predicate: (line: LogLine) => boolean;
  resolve: (line: LogLine) => void;
  reject: (error: Error) => void;
}

export async function startService(
  cmdArgs: string[],
  options: ServiceOptions = {},
): Promise<Service> {
  const [command, ...args] = cmdArgs;
  if (!command) throw new TypeError("Cannot start a service: no command given");
  const child = new Deno.Command(command, {
    args,
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: LogLine[] = [];
  const waiters = new Set<Waiter>();
  let stderrText = "";
  let exited: Deno.CommandStatus | undefined;
  const describe = () => `${command} ${args.join(" ")}`.slice(0, 300);
  const tail = () => stderrText.slice(-2000) || "(nothing on stderr)";

  const onLine = (text: string) => {
    if (text.trim() === "") return;
    let line: LogLine;
    try {
      const parsed = JSON.parse(text);
      line = parsed !== null && typeof parsed === "object" ? parsed : { raw: text };
    } catch {
      line = { raw: text };
    }
    lines.push(line);
    for (const waiter of waiters) {
      if (waiter.predicate(line)) {
        waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  };
  const stdoutDone = readLines(child.stdout, onLine);
  const stderrDone = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      stderrText = (stderrText + chunk).slice(-STDERR_KEEP);
    }
  })();
  const status = child.status.then(async (result) => {
    await Promise.all([stdoutDone, stderrDone]);
    exited = result;
    const error = new Error(
      `Service exited with code ${result.code} before the awaited log line: ${describe()}\n${tail()}`,
    );
    for (const waiter of waiters) waiter.reject(error);
    waiters.clear();
    return result;
  });

  const waitFor = (predicate: (line: LogLine) => boolean, timeoutMs = 10_000) => {
    const found = lines.find(predicate);
    if (found) return Promise.resolve(found);
    if (exited) {
      return Promise.reject(new Error(`Service has exited: ${describe()}\n${tail()}`));
    }
    const { promise, resolve, reject } = Promise.withResolvers<LogLine>();
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(
        new Error(
          `Timed out after ${timeoutMs} ms waiting for a log line: ${describe()}\n${tail()}`,
        ),
      );
    }, timeoutMs);
    const waiter: Waiter = {
      predicate,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    };
    waiters.add(waiter);
    return promise;
  };

  let stopping: Promise<Deno.CommandStatus> | undefined;
  const stop = () =>
    stopping ??= (async () => {
      if (!exited) {
        signal(child, "SIGTERM");
        const timer = setTimeout(() => signal(child, "SIGKILL"), options.stopTimeoutMs ?? 10_000);
        try {
          return await status;
        } finally {
          clearTimeout(timer);
        }
      }
      return await status;
    })();

  let ready: LogLine;
  try {
    ready = await waitFor(options.ready ?? isListening, options.timeoutMs ?? 20_000);
  } catch (error) {
    signal(child, "SIGKILL");
    await status;
    throw error;
  }
  return {
    child,
    lines,
    ready,
    stderr: () => stderrText,
    waitFor,
    stop,
    [Symbol.asyncDispose]: async () => {
      await stop();
    },
  };
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch (error) {
    // The process has exited already.
    if (!(error instanceof TypeError)) throw error;
  }
}

async function readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
  let pending = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    let newline: number;
    while ((newline = pending.indexOf("\n")) >= 0) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
    }
  }
  onLine(pending);
}
