/**
 * The shape scenarios 1–4 share: under load, do something to cs0; lb(comm) must mark it down in
 * time, every device must ack again (through cs1), and once cs0 is healed lb must bring it back
 * after `rise` checks and send it new connections.
 */
import type { ScenarioContext } from "../scenario.ts";
import { DEVICE_ACK_TIMEOUT_MS } from "../devices.ts";
import { DETECTION_BOUND_MS, HEALTH } from "../vm_files.ts";
import { waitUntil } from "../wait.ts";

/** Slack for sampling lb's state every 50 ms and for a loaded machine's timers. */
export const POLL_SLACK_MS = 250;

export interface CommFault {
  victim: string;
  /** Label for the plot, e.g. "cable pulled from cs0". */
  label: string;
  inject(ctx: ScenarioContext): Promise<void>;
  healLabel: string;
  heal(ctx: ScenarioContext): Promise<void>;
  /** Longest a device may take to ack again after the fault. */
  movedWithinMs: number;
  /** Whether detection must meet fall × interval + timeout (a drain is immediate instead). */
  checkDetection: boolean;
}

export async function runCommFault(ctx: ScenarioContext, fault: CommFault): Promise<void> {
  const { topo, fleet } = ctx;
  ctx.fleet.startSending();
  await ctx.sleep(ctx.quick ? 3_000 : 8_000);
  const onVictim = fleet.nodes()[fault.victim] ?? 0;
  ctx.check(
    `devices are connected to ${fault.victim} before the fault`,
    onVictim > 0,
    `${onVictim}`,
  );
  ctx.figure("devices_on_victim", onVictim);

  const mark = fleet.ackedMax();
  const t0 = performance.now();
  ctx.mark(fault.label);
  await fault.inject(ctx);
  const detection = await topo.waitForBackends("lb-comm", [fault.victim], "down", 30_000)
    .then(() => Math.round(performance.now() - t0), () => -1);
  ctx.figure("detection_ms", detection);
  if (fault.checkDetection) {
    ctx.check(
      `lb(comm) marks ${fault.victim} down within fall × interval + timeout (${DETECTION_BOUND_MS} ms)`,
      detection >= 0 && detection <= DETECTION_BOUND_MS + POLL_SLACK_MS,
      `${detection} ms`,
    );
  } else ctx.check(`lb(comm) marks ${fault.victim} down`, detection >= 0, `${detection} ms`);

  const everyone = fleet.clients.length;
  const moved = await waitUntil(
    "every device acking again",
    fault.movedWithinMs + 20_000,
    () => fleet.ackedSince(mark) === everyone && (fleet.nodes()[fault.victim] ?? 0) === 0,
    50,
  ).then(() => Math.round(performance.now() - t0), () => -1);
  ctx.figure("recovery_ms", moved);
  ctx.check(
    `every device acks again through the other node within ${fault.movedWithinMs} ms`,
    moved >= 0 && moved <= fault.movedWithinMs,
    `${moved} ms; ${fleet.ackedSince(mark)}/${everyone} acked since; nodes ${
      JSON.stringify(fleet.nodes())
    }`,
  );

  await ctx.sleep(ctx.quick ? 1_000 : 4_000);
  const t1 = performance.now();
  ctx.mark(fault.healLabel);
  await fault.heal(ctx);
  const back = await topo.waitForBackends("lb-comm", [fault.victim], "up", 30_000)
    .then(() => Math.round(performance.now() - t1), () => -1);
  ctx.figure("back_up_ms", back);
  ctx.check(
    `lb(comm) brings ${fault.victim} back up (rise: ${HEALTH.rise} good checks)`,
    back >= 0,
    `${back} ms`,
  );
  const nodes = await ctx.probeNodes(4);
  ctx.check(
    `${fault.victim} takes new connections again`,
    nodes.includes(fault.victim),
    nodes.join(", "),
  );
  await ctx.sleep(ctx.quick ? 1_000 : 4_000);
}

/** Devices whose node died notice it by a reset at once, or by silence after the ack timeout. */
export const SILENT_MOVE_MS = DEVICE_ACK_TIMEOUT_MS + 5_000;
