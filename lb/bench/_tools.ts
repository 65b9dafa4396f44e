/** Runs the benchmark's outside tools (wrk, iperf3, HAProxy) and reads their figures. */
export { freePort } from "@fleetmon/shared/socket";

export interface WrkResult {
  requestsPerSecond: number;
  p50Us: number;
  p99Us: number;
  /** Connect, read, write and timeout errors together, and non-2xx/3xx responses. */
  errors: number;
}

/** The command prefix that pins a process to `cpus`, or nothing where taskset is missing. */
export function pin(cpus: string | undefined): string[] {
  return cpus && hasTool("taskset") ? ["taskset", "-c", cpus] : [];
}

export function hasTool(name: string): boolean {
  try {
    return new Deno.Command("sh", { args: ["-c", `command -v ${name}`], stdout: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

async function run(cmd: string[]): Promise<string> {
  const [command, ...args] = cmd;
  const { code, stdout, stderr } = await new Deno.Command(command, { args }).output();
  const text = new TextDecoder().decode(stdout);
  if (code !== 0) {
    throw new Error(`${cmd.join(" ")} exited with ${code}: ${new TextDecoder().decode(stderr)}`);
  }
  return text;
}

/** `wrk --latency` against `url`; `close` asks for a new connection per request. */
export async function wrk(
  url: string,
  options: { connections: number; seconds: number; close?: boolean; cpus?: string },
): Promise<WrkResult> {
  const output = await run([
    ...pin(options.cpus),
    "wrk",
    "-t1",
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--latency",
    ...(options.close ? ["-H", "Connection: close"] : []),
    url,
  ]);
  const number = (pattern: RegExp) => Number(pattern.exec(output)?.[1] ?? NaN);
  const latency = (percent: string) => {
    const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, "m").exec(output);
    if (!match) throw new Error(`Cannot read wrk's ${percent}th percentile:\n${output}`);
    return Number(match[1]) * { us: 1, ms: 1000, s: 1_000_000 }[match[2] as "us" | "ms" | "s"];
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
    .exec(output)?.slice(1).reduce((sum, n) => sum + Number(n), 0) ?? 0;
  const badResponses = number(/Non-2xx or 3xx responses: (\d+)/) || 0;
  return {
    requestsPerSecond: number(/Requests\/sec:\s+([\d.]+)/),
    p50Us: latency("50"),
    p99Us: latency("99"),
    errors: socketErrors + badResponses,
  };
}

/** One iperf3 stream to `port` for `seconds`: bits per second the receiver got. */
export async function iperf3(port: number, seconds: number, cpus?: string): Promise<number> {
  const output = await run([
    ...pin(cpus),
    "iperf3",
    "-c",
    "127.0.0.1",
    "-p",
    String(port),
    "-t",
    String(seconds),
    "-P",
    "1",
    "-J",
  ]);
  const report = JSON.parse(output);
  const received = report.end?.sum_received?.bits_per_second;
  if (typeof received !== "number") {
    throw new Error(`iperf3 through port ${port} failed: ${report.error ?? "no result"}`);
  }
  return received;
}

export interface Background {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ ticks
}

/** Starts a long-running tool and waits until `port` accepts connections. */
export async function startTool(name: string, cmd: string[], port: number): Promise<Background> {
  const [command, ...args] = cmd;
  const child = new Deno.Command(command, { args, stdout: "null", stderr: "piped" }).spawn();
  const stderr = new Response(child.stderr).text();
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // Exited already.
    }
    await child.status;
    await stderr;
  };
  const deadline = Date.now() + 10_000;
  while (true) {
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return { name, pid: child.pid, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`${name} did not listen on ${port}: ${await stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The value below which a fraction `p` of `values` lie (nearest rank); 0 for none. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}
