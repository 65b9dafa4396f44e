/** New device connections through lb(comm), one after another: which node welcomed each. */
import { createDeviceClient } from "@fleetmon/devices/lib";
import type { SimDevice } from "@fleetmon/devices/sim";
import type { Logger } from "@fleetmon/shared/log";
import { waitUntil } from "./wait.ts";

export async function probeNodes(
  target: { hostname: string; port: number },
  probes: SimDevice[],
  count: number,
  logger: Logger,
): Promise<string[]> {
  const nodes: string[] = [];
  for (let i = 0; i < count; i++) {
    const probe = probes[i % probes.length];
    await using client = createDeviceClient({
      target,
      device: probe.id,
      token: probe.token,
      agent: "fleetmon-rehearse-probe/0.1",
      logger,
      bufferLimit: 10,
      backoff: { initialMs: 100, maxMs: 500, jitter: "full" },
    });
    const ok = await waitUntil("a probe welcomed", 10_000, () => client.state === "ready", 20)
      .then(() => true, () => false);
    nodes.push(ok ? client.node ?? "?" : `not welcomed (${client.state})`);
  }
  return nodes;
}
