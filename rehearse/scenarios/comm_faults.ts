/** Scenarios 1–5: faults of a comm node under load (docs/rehearse.md). */
import type { Scenario } from "../scenario.ts";
import { setCable, setRoute } from "../netns.ts";
import { vm } from "../plan.ts";
import { signalVm } from "../vms.ts";
import { runCommFault, SILENT_MOVE_MS } from "./comm_fault.ts";

const VICTIM = "cs0";

export const pullCable: Scenario = {
  id: 1,
  name: "cable",
  title: "Pull a comm VM's cable (link down on cs0) under load",
  run: (ctx) =>
    runCommFault(ctx, {
      victim: VICTIM,
      label: "cable pulled from cs0",
      inject: (c) => setCable(c.topo.plan, vm(c.topo.plan, VICTIM), false),
      healLabel: "cable back",
      heal: (c) => setCable(c.topo.plan, vm(c.topo.plan, VICTIM), true),
      movedWithinMs: SILENT_MOVE_MS,
      checkDetection: true,
    }),
};

export const killNode: Scenario = {
  id: 2,
  name: "kill",
  title: "Kill a comm node (SIGKILL) and restart it",
  run: (ctx) =>
    runCommFault(ctx, {
      victim: VICTIM,
      label: "cs0 killed (SIGKILL)",
      inject: async (c) => {
        const running = c.topo.running(VICTIM);
        signalVm(running, "SIGKILL");
        await running.service.exited;
      },
      healLabel: "cs0 restarted",
      heal: async (c) => {
        await c.topo.startVm(vm(c.topo.plan, VICTIM));
      },
      // A killed node's sockets are reset: devices reconnect after their backoff.
      movedWithinMs: 5_000,
      checkDetection: true,
    }),
};

/** comm's bound on a graceful stop (--shutdown-timeout-ms, not set in deploy/: its default). */
const COMM_SHUTDOWN_TIMEOUT_MS = 10_000;

export const drainNode: Scenario = {
  id: 3,
  name: "drain",
  title: "Drain a comm node (SIGTERM)",
  run: (ctx) => {
    let exited: Promise<{ code: number; ms: number }> | undefined;
    return runCommFault(ctx, {
      victim: VICTIM,
      label: "cs0 drained (SIGTERM)",
      inject: (c) => {
        const signalled = performance.now();
        const running = c.topo.running(VICTIM);
        signalVm(running, "SIGTERM");
        exited = running.service.exited.then((status) => ({
          code: status.code,
          ms: Math.round(performance.now() - signalled),
        }));
        return Promise.resolve();
      },
      healLabel: "cs0 started again",
      heal: async (c) => {
        const { code, ms } = await exited!;
        c.figure("exit_ms", ms);
        c.check("the drained node exits cleanly", code === 0, `code ${code}`);
        c.check(
          `the drained node exits within comm's ${COMM_SHUTDOWN_TIMEOUT_MS} ms shutdown bound`,
          ms <= COMM_SHUTDOWN_TIMEOUT_MS,
          `${ms} ms`,
        );
        await c.topo.startVm(vm(c.topo.plan, VICTIM));
      },
      movedWithinMs: 2_000,
      checkDetection: false,
    });
  },
};

export const freezeNode: Scenario = {
  id: 4,
  name: "freeze",
  title: "Freeze a comm node (SIGSTOP; the kernel still completes handshakes)",
  run: (ctx) =>
    runCommFault(ctx, {
      victim: VICTIM,
      label: "cs0 frozen (SIGSTOP)",
      inject: (c) => {
        signalVm(c.topo.running(VICTIM), "SIGSTOP");
        return Promise.resolve();
      },
      healLabel: "cs0 thawed (SIGCONT)",
      heal: (c) => {
        signalVm(c.topo.running(VICTIM), "SIGCONT");
        return Promise.resolve();
      },
      movedWithinMs: SILENT_MOVE_MS,
      checkDetection: true,
    }),
};

export const cutDatabase: Scenario = {
  id: 5,
  name: "db-cut",
  title: "Cut comm from the database only (the LB still reaches comm)",
  async run(ctx) {
    const { topo } = ctx;
    const [cs0, db0] = [vm(topo.plan, VICTIM), vm(topo.plan, "db0")];
    ctx.fleet.startSending();
    await ctx.sleep(ctx.quick ? 3_000 : 8_000);
    const t0 = performance.now();
    ctx.mark("cs0 cut from the database");
    await setRoute(cs0, db0, false);
    const detection = await topo.waitForBackends("lb-comm", [VICTIM], "down", 60_000)
      .then(() => Math.round(performance.now() - t0), () => -1);
    ctx.figure("detection_ms", detection);
    ctx.check("the DB-aware health check takes cs0 out", detection >= 0, `${detection} ms`);
    const nodes = await ctx.probeNodes(4);
    ctx.check(
      "new connections go to cs1 only while cs0 cannot store",
      nodes.length === 4 && nodes.every((n) => n === "cs1"),
      nodes.join(", "),
    );
    await ctx.sleep(ctx.quick ? 2_000 : 6_000);
    const t1 = performance.now();
    ctx.mark("route to the database back");
    await setRoute(cs0, db0, true);
    const back = await topo.waitForBackends("lb-comm", [VICTIM], "up", 60_000)
      .then(() => Math.round(performance.now() - t1), () => -1);
    ctx.figure("back_up_ms", back);
    ctx.check("cs0 is up again once it reaches the database", back >= 0, `${back} ms`);
    await ctx.sleep(ctx.quick ? 2_000 : 4_000);
  },
};

export const COMM_FAULTS: Scenario[] = [pullCable, killNode, drainNode, freezeNode, cutDatabase];
