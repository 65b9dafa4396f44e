/**
 * Scenario 6: a web node killed, then a web VM's cable pulled, while signed-in users poll through
 * lb(web) and others watch the live device list.
 */
import type { Scenario, ScenarioContext } from "../scenario.ts";
import { setCable } from "../netns.ts";
import { vm } from "../plan.ts";
import { signalVm } from "../vms.ts";
import { LiveStreams } from "../streams.ts";
import { publicOrigin } from "../vm_files.ts";
import { waitUntil } from "../wait.ts";

const MAX_FAILED_SHARE = 0.01;
/**
 * The share of failed requests is about the requests in flight at each fault over all requests,
 * so it depends on how long the scenario watches, not on the load: this one keeps the full
 * run's pauses in the quick variant too.
 */
const QUIET_MS = 8_000;

/** Every stream got an event with data after `since` (performance.now()), within `timeoutMs`. */
async function resumed(streams: LiveStreams, since: number, timeoutMs: number): Promise<number> {
  return await waitUntil(
    "every live stream resumed",
    timeoutMs,
    () => streams.states.every((s) => s.lastEventAt > since),
    100,
  ).then(() => Math.round(performance.now() - since), () => -1);
}

async function fault(
  ctx: ScenarioContext,
  streams: LiveStreams,
  victim: string,
  label: string,
  inject: () => Promise<void>,
  healLabel: string,
  heal: () => Promise<void>,
): Promise<void> {
  const t0 = performance.now();
  ctx.mark(label);
  await inject();
  const detection = await ctx.topo.waitForBackends("lb-web", [victim], "down", 30_000)
    .then(() => Math.round(performance.now() - t0), () => -1);
  ctx.figure(`${victim}_detection_ms`, detection);
  ctx.check(`lb(web) marks ${victim} down`, detection >= 0, `${detection} ms`);
  const back = await resumed(streams, t0, 40_000);
  ctx.figure(`${victim}_streams_resumed_ms`, back);
  ctx.check(
    `every live stream resumes on the survivor after ${label}`,
    back >= 0,
    `${back} ms; ${JSON.stringify(streams.states.map((s) => s.reconnects))} reconnects`,
  );
  await ctx.sleep(QUIET_MS);
  ctx.mark(healLabel);
  await heal();
  const up = await ctx.topo.waitForBackends("lb-web", [victim], "up", 30_000).then(
    () => true,
    () => false,
  );
  ctx.check(`${victim} is up again`, up);
  await ctx.sleep(QUIET_MS);
}

export const webFaults: Scenario = {
  id: 6,
  name: "web",
  title: "Kill a web node, and pull a web VM's cable, with signed-in users on lb(web)",
  async run(ctx) {
    const { topo, users } = ctx;
    ctx.fleet.startSending();
    const cookies = [];
    for (let i = 0; i < 4; i++) cookies.push(await users.login());
    const streams = new LiveStreams(publicOrigin(topo.plan), topo.caCert, cookies);
    streams.start();
    try {
      const before = { ...users.counts };
      await ctx.sleep(QUIET_MS);
      ctx.check(
        "every live stream is receiving",
        streams.states.every((s) => s.events > 0),
        JSON.stringify(streams.states.map((s) => s.events)),
      );
      await fault(
        ctx,
        streams,
        "ws0",
        "ws0 killed (SIGKILL)",
        async () => {
          signalVm(topo.running("ws0"), "SIGKILL");
          await topo.running("ws0").service.exited;
        },
        "ws0 restarted",
        async () => void await topo.startVm(vm(topo.plan, "ws0")),
      );
      const ws1 = vm(topo.plan, "ws1");
      await fault(
        ctx,
        streams,
        "ws1",
        "cable pulled from ws1",
        () => setCable(topo.plan, ws1, false),
        "cable back",
        () => setCable(topo.plan, ws1, true),
      );
      const ok = users.counts.ok - before.ok;
      const failed = users.counts.failed - before.failed;
      const signedOut = users.counts.signedOut - before.signedOut;
      const share = failed / Math.max(1, ok + failed + signedOut);
      ctx.figure("web_failed_share", Math.round(share * 10_000) / 10_000);
      ctx.check(
        `under ${MAX_FAILED_SHARE * 100} % of web requests fail`,
        share < MAX_FAILED_SHARE && ok > 0,
        `${failed} of ${ok + failed + signedOut}`,
      );
      ctx.check("nobody is signed out", signedOut === 0, `${signedOut} answers of 401`);
    } finally {
      await streams.stop();
    }
  },
};
