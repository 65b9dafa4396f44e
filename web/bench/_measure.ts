/** How the web benchmark measures: latency percentiles of one request, and requests/s under load. */
import { startService } from "@fleetmon/shared/supervisor";
import { denoArgs } from "./_cluster.ts";

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * Sends `request` `samples` times one after another (after `warmup` unmeasured ones) and returns
 * the latencies in ms, sorted. Fails on any answer but 200, so an error page is never timed.
 */
export async function latencies(
  what: string,
  request: () => Promise<Response>,
  options: { samples?: number; warmup?: number } = {},
): Promise<number[]> {
  const { samples = 200, warmup = 20 } = options;
  const times: number[] = [];
  for (let i = 0; i < warmup + samples; i++) {
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`${what}: HTTP ${response.status}`);
    if (i >= warmup) times.push(ms);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Requests per second on `url` from a load process of its own (web/bench/_load.ts: `connections`
 * loops of fetch for `seconds`), so the load does not share this process's event loop.
 */
export async function requestsPerSecond(
  url: string,
  options: { caFile: string; cookie?: string; seconds?: number; connections?: number },
): Promise<number> {
  const service = await startService({
    name: "load",
    args: denoArgs("web/bench/_load.ts", ["--allow-net", "--allow-read"], [
      `--url=${url}`,
      `--ca=${options.caFile}`,
      `--seconds=${options.seconds ?? 5}`,
      `--connections=${options.connections ?? 32}`,
      ...(options.cookie ? [`--cookie=${options.cookie}`] : []),
    ]),
  });
  const result = await service.waitFor((e) => "requests_per_s" in e || "error" in e, 120_000);
  await service.stop();
  if ("error" in result) throw new Error(`load on ${url}: ${result.error}`);
  return Number(result.requests_per_s);
}
