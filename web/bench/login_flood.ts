/**
 * healthz_p99_ms_during_login_flood: `/healthz` through lb(web) while 100 wrong sign-ins per second
 * (each a new username, so every one needs an argon2id check) arrive through the same lb from a
 * process of its own. /healthz is asked one request after another, 20 ms apart; the figure is its
 * 99th percentile over the flood. Also measured side by side: the same without the flood, and what
 * the flood got back (401 checked, 503 busy: the password queue was full).
 */
import { startService } from "@fleetmon/shared/supervisor";
import { type BenchCluster, denoArgs } from "./_cluster.ts";
import { percentile, round } from "./_measure.ts";

const FLOOD_RATE = 100;
const FLOOD_SECONDS = 15;

async function sampleHealthz(cluster: BenchCluster, until: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < 10_000 && !until(); i++) {
    const started = performance.now();
    const response = await fetch(`${cluster.base}/healthz`, { client: cluster.client });
    await response.arrayBuffer();
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`/healthz answered HTTP ${response.status}`);
    times.push(ms);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times.sort((a, b) => a - b);
}

export async function healthzDuringLoginFlood(
  cluster: BenchCluster,
  say: (line: string) => void,
): Promise<Record<string, number>> {
  const quietUntil = performance.now() + 5_000;
  const quiet = await sampleHealthz(cluster, () => performance.now() > quietUntil);
  say(`  quiet: ${quiet.length} /healthz, p99 ${round(percentile(quiet, 99))} ms`);

  const flood = await startService({
    name: "login-flood",
    args: denoArgs("web/bench/_login_flood_load.ts", ["--allow-net", "--allow-read"], [
      `--url=${cluster.base}`,
      `--ca=${cluster.certFile}`,
      `--rate=${FLOOD_RATE}`,
      `--seconds=${FLOOD_SECONDS}`,
    ]),
  });
  let done = false;
  const result = flood.waitFor((e) => "sent" in e || "error" in e, 120_000)
    .finally(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the flood build up
  const during = await sampleHealthz(cluster, () => done);
  const summary = await result;
  await flood.stop();
  if ("error" in summary) throw new Error(`login flood: ${summary.error}`);
  const statuses = summary.statuses as Record<string, number>;
  say(`  flood: ${JSON.stringify(summary)}`);
  say(`  during: ${during.length} /healthz, p50 ${round(percentile(during, 50))} ms`);
  const sent = Number(summary.sent);
  return {
    healthz_p99_ms_during_login_flood: round(percentile(during, 99)),
    healthz_max_ms_during_login_flood: round(during.at(-1) ?? NaN),
    healthz_p99_ms_quiet: round(percentile(quiet, 99)),
    login_flood_per_s: round(sent / Number(summary.seconds)),
    login_flood_checked_share: round((statuses["401"] ?? 0) / sent, 3),
    login_flood_busy_share: round((statuses["503"] ?? 0) / sent, 3),
  };
}
