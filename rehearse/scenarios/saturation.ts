/**
 * Scenario 10: load one server to saturation. First what one comm node alone sustains: cs1
 * disabled at lb(comm), so the fleet and a saturating load (rehearse/saturate.ts, a process of
 * its own) all run on cs0, and the acked rate is measured (before and after the rest, so the
 * shared machine's drift shows). Between the two, cs1 is enabled again while cs0 keeps that load — the way one node ends up loaded after a failover, since lb(comm) never moves
 * an open connection — and the fleet reconnects: lb(comm) must spread those new connections over
 * both nodes, and the acked rate of everything (fleet and load) must not fall below what cs0
 * sustained alone. The load's own readings are audited too: 0 acked lost, 0 duplicates. The
 * cores each process used in each phase are figures: they tell which one was the bottleneck.
 */
import { auditReadings, ensureSimDevices, SeqSet, simDeviceIds } from "@fleetmon/devices/sim";
import type { Scenario, ScenarioContext } from "../scenario.ts";
import { PORTS, vm } from "../plan.ts";
import { waitUntil } from "../wait.ts";
import { startCpuWatch } from "../cpu.ts";

const SATURATE = new URL("../saturate.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
/** Readings each load connection keeps unacked: comm's burst (200) is not reached. */
const WINDOW = 100;
/** comm's default readings per second per connection (docs/protocol.md). */
const RATE_PER_CONNECTION = 100;
/**
 * Two measurements of the same saturated machine differ by a few percent from one window to the
 * next (every VM shares two cores here): "does not fall below" allows that much.
 */
const NOISE = 0.1;

interface LoadResult {
  acked: number;
  devices: { id: string; node: string; sent: number; acked: [number, number][]; error?: string }[];
}

/** The saturating load: a child process, its acked count kept current from its progress lines. */
class Load {
  acked = 0;
  readonly #child: Deno.ChildProcess;
  readonly #lines: Promise<string[]>;

  constructor(ctx: ScenarioContext, devicesFile: string) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        "--allow-read",
        `--config=${ROOT}deno.json`,
        SATURATE,
        `--target=${vm(ctx.topo.plan, "lb-comm").ip}:${PORTS.lbComm}`,
        `--devices=${devicesFile}`,
        `--window=${WINDOW}`,
        "--max-ms=300000",
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#lines = this.#read(ctx);
  }

  async #read(ctx: ScenarioContext): Promise<string[]> {
    const lines: string[] = [];
    let rest = "";
    for await (const chunk of this.#child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop() ?? "";
      for (const line of parts) {
        lines.push(line);
        const acked = Number(JSON.parse(line).acked ?? this.acked);
        ctx.countAcked(acked - this.acked);
        this.acked = acked;
      }
    }
    return lines;
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** Closes its stdin (it stops, drains its acks) and returns its last line. */
  async stop(): Promise<LoadResult> {
    await this.#child.stdin.close();
    const [lines] = await Promise.all([this.#lines, this.#child.status]);
    return JSON.parse(lines.at(-1) ?? "{}");
  }
}

/**
 * Everything's acked rate (fleet and load) over the next `ms`, readings a second, and the cores
 * each process behind it used meanwhile (which one is the bottleneck).
 */
async function ackedRate(ctx: ScenarioContext, load: Load, ms: number) {
  const { topo } = ctx;
  const pid = (name: string) => topo.running(name).service.child.pid;
  const cpu = await startCpuWatch({
    cs0: pid("cs0"),
    cs1: pid("cs1"),
    "lb-comm": pid("lb-comm"),
    ferretdb: topo.database.child.pid,
    load: load.pid,
  });
  const [fleet, loaded, t] = [ctx.fleet.ackedTotal, load.acked, performance.now()];
  await ctx.sleep(ms);
  const s = (performance.now() - t) / 1000;
  return {
    all: (ctx.fleet.ackedTotal - fleet + load.acked - loaded) / s,
    load: (load.acked - loaded) / s,
    cores: await cpu(),
  };
}

/** cs1 out of lb(comm) (its connections closed), every device on cs0, then the rate measured. */
async function aloneRate(ctx: ScenarioContext, load: Load, settleMs: number, measureMs: number) {
  await ctx.topo.backendAction("lb-comm", "disable", "cs1");
  const everyone = ctx.fleet.clients.length;
  await waitUntil("every device on cs0", 30_000, () => ctx.fleet.nodes().cs0 === everyone, 100);
  await ctx.sleep(settleMs);
  return await ackedRate(ctx, load, measureMs);
}

export const saturation: Scenario = {
  id: 10,
  name: "saturate",
  title: "Load one server to saturation: lb(comm) keeps spreading, the fleet's rate holds",
  async run(ctx) {
    const { topo, fleet } = ctx;
    const connections = ctx.quick ? 500 : 1_000;
    const measureMs = ctx.quick ? 6_000 : 10_000;
    const settleMs = ctx.quick ? 2_000 : 8_000;
    const devices = (await ensureSimDevices(topo.db, simDeviceIds("rh-load", connections))).devices;
    const devicesFile = `${topo.runDir}/saturate-devices.json`;
    await Deno.writeTextFile(devicesFile, JSON.stringify(devices));
    fleet.startSending();
    await ctx.sleep(settleMs);

    ctx.mark("cs1 disabled: cs0 alone");
    await topo.backendAction("lb-comm", "disable", "cs1");
    const everyone = fleet.clients.length;
    await waitUntil("every device on cs0", 30_000, () => fleet.nodes().cs0 === everyone, 100);
    const load = new Load(ctx, devicesFile);
    let result: LoadResult | undefined;
    let downs = 0;
    let watching = true;
    try {
      ctx.mark(`saturating load on cs0 (${connections} connections)`);
      // Measured before and after the loaded phase, so a drift of the shared machine shows.
      const before = await aloneRate(ctx, load, settleMs, measureMs);
      const ceiling = connections * RATE_PER_CONNECTION;
      ctx.check(
        "the load is more than cs0 and its database take (its connections get less than comm allows each)",
        before.load < (1 - NOISE) * ceiling,
        `${Math.round(before.load)}/s of ${ceiling}/s allowed`,
      );

      ctx.mark("cs1 enabled; cs0 keeps the load; the fleet reconnects");
      await topo.backendAction("lb-comm", "enable", "cs1");
      await topo.waitForBackends("lb-comm", ["cs1"], "up", 30_000);
      // Watches lb(comm)'s view of cs0 while it is saturated.
      const watch = (async () => {
        let last = "up";
        while (watching) {
          const backends = await topo.backends("lb-comm").catch(() => undefined);
          const state = backends?.cs0?.state ?? last;
          if (state === "down" && last !== "down") downs++;
          last = state;
          await ctx.sleep(250);
        }
      })();
      fleet.stopSending();
      const drained = await fleet.drain(30_000);
      ctx.check("the fleet's buffers drain before it reconnects", drained);
      await fleet.restart();
      await waitUntil("every device connected", 30_000, () => fleet.ready() === everyone);
      fleet.startSending();
      const nodes = fleet.nodes();
      ctx.figure("reconnected_to_cs0", nodes.cs0 ?? 0);
      ctx.figure("reconnected_to_cs1", nodes.cs1 ?? 0);
      ctx.check(
        "lb(comm) spreads the fleet's new connections over both nodes while cs0 is saturated",
        (nodes.cs0 ?? 0) >= 0.4 * everyone && (nodes.cs1 ?? 0) >= 0.4 * everyone,
        JSON.stringify(nodes),
      );
      const probes = await ctx.probeNodes(4);
      ctx.check(
        "new connections still reach both nodes",
        probes.includes("cs0") && probes.includes("cs1"),
        probes.join(", "),
      );
      await ctx.sleep(settleMs);
      const loaded = await ackedRate(ctx, load, measureMs);
      watching = false;
      await watch;
      ctx.figure("cs0_marked_down", downs);

      ctx.mark("cs1 disabled again: cs0 alone");
      const after = await aloneRate(ctx, load, settleMs, measureMs);
      const alone = (before.all + after.all) / 2;
      ctx.figure("one_node_acked_per_s_before", Math.round(before.all));
      ctx.figure("one_node_acked_per_s_after", Math.round(after.all));
      ctx.figure("one_node_acked_per_s", Math.round(alone));
      ctx.figure("one_loaded_acked_per_s", Math.round(loaded.all));
      ctx.figure("load_acked_per_s_alone", Math.round((before.load + after.load) / 2));
      ctx.figure("load_acked_per_s_loaded", Math.round(loaded.load));
      for (const [phase, rate] of Object.entries({ before, loaded, after })) {
        for (const [name, cores] of Object.entries(rate.cores)) {
          ctx.figure(`cores_${phase}_${name}`, cores);
        }
      }
      ctx.check(
        `the fleet's acked rate does not fall below what one node alone sustains (less ${
          NOISE * 100
        } % for noise)`,
        loaded.all >= (1 - NOISE) * alone,
        `${Math.round(loaded.all)}/s with cs0 loaded and cs1 in use vs ${
          Math.round(alone)
        }/s on cs0 alone (${Math.round(before.all)} before, ${Math.round(after.all)} after)`,
      );
    } finally {
      watching = false;
      ctx.mark("load stopped; cs1 enabled");
      result = await load.stop();
      await topo.backendAction("lb-comm", "enable", "cs1");
      await topo.waitForBackends("lb-comm", ["cs1"], "up", 30_000);
      await Deno.remove(devicesFile).catch(() => {});
    }
    const stuck = result.devices?.filter((d) => d.error || d.node !== "cs0") ?? [];
    ctx.check(
      "every load connection ran on cs0 to the end",
      result.devices?.length === connections && stuck.length === 0,
      JSON.stringify(stuck.slice(0, 3)),
    );
    const acked = new Map<string, SeqSet>();
    for (const d of result.devices ?? []) {
      const set = new SeqSet();
      for (const [from, to] of d.acked) for (let seq = from; seq <= to; seq++) set.add(seq);
      acked.set(d.id, set);
    }
    const audit = await auditReadings(topo.db, acked);
    ctx.figure("load_acked", audit.checked);
    ctx.figure("load_lost_acked", audit.lost_acked);
    ctx.figure("load_duplicates", audit.duplicates);
    ctx.check(
      "audit of the load: 0 acked readings lost, 0 duplicates",
      audit.checked > 0 && audit.lost_acked === 0 && audit.duplicates === 0,
      `${audit.checked} checked, ${audit.lost_acked} lost, ${audit.duplicates} duplicates`,
    );
  },
};
