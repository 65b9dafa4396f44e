/**
 * device_list_10k_p95_ms: one page of the device list with a search, 10,000 devices, through
 * lb(web). The search changes on every request (so no answer is a cached copy of the last).
 * overview_10k_p95_ms: the overview's numbers with the same fleet.
 */
import type { BenchCluster } from "./_cluster.ts";
import { latencies, percentile, round } from "./_measure.ts";

export async function deviceList10k(cluster: BenchCluster) {
  let i = 0;
  const times = await latencies(
    "device list",
    () =>
      fetch(`${cluster.base}/api/devices?q=bench-${(i++ * 37) % 1000}&limit=50`, {
        client: cluster.client,
        headers: { cookie: cluster.cookie },
      }),
  );
  return {
    device_list_10k_p95_ms: round(percentile(times, 95)),
    device_list_10k_p50_ms: round(percentile(times, 50)),
  };
}

export async function overview10k(cluster: BenchCluster) {
  const times = await latencies("overview", () =>
    fetch(`${cluster.base}/api/overview`, {
      client: cluster.client,
      headers: { cookie: cluster.cookie },
    }));
  return {
    overview_10k_p95_ms: round(percentile(times, 95)),
    overview_10k_p50_ms: round(percentile(times, 50)),
  };
}
