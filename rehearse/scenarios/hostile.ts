/**
 * Scenario 8: hostile traffic beside normal load, through lb(comm): a connect-and-close storm
 * (2,000 a second), fuzzed frames, oversized lines, slow-drip connections and a poison reading.
 * No process may crash, and the normal devices keep at least 90 % of their acked rate.
 */
import { ensureSimDevices, simDeviceIds } from "@fleetmon/devices/sim";
import type { Scenario } from "../scenario.ts";
import { PORTS, vm } from "../plan.ts";

const HOSTILE = new URL("../hostile.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
/** The storm's aim (issue 15) and the least it must reach on this shared 2-core machine. */
const STORM_PER_S = 2_000;
const STORM_FLOOR_PER_S = 1_000;

export const hostileTraffic: Scenario = {
  id: 8,
  name: "hostile",
  title: "Hostile traffic beside normal load: storm, fuzz, oversized lines, slow drip, poison",
  async run(ctx) {
    const { topo, fleet } = ctx;
    fleet.startSending();
    const [device] = (await ensureSimDevices(topo.db, simDeviceIds("rh-poison", 1))).devices;
    await ctx.sleep(ctx.quick ? 4_000 : 10_000);
    const rateBefore = await ackedRate(ctx, ctx.quick ? 4_000 : 10_000);
    const durationMs = ctx.quick ? 10_000 : 30_000;
    await tuneOpsForStorm();
    ctx.mark("hostile traffic starts");
    const hostile = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-net",
        `--config=${ROOT}deno.json`,
        HOSTILE,
        `--target=${vm(topo.plan, "lb-comm").ip}:${PORTS.lbComm}`,
        `--device=${device.id}`,
        `--token=${device.token}`,
        `--duration-ms=${durationMs}`,
        `--storm-per-s=${STORM_PER_S}`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await ctx.sleep(2_000);
    const rateDuring = await ackedRate(ctx, durationMs - 3_000);
    const output = await hostile.output();
    ctx.mark("hostile traffic ends");
    const done = new TextDecoder().decode(output.stdout).trim().split("\n").at(-1) ?? "";
    let sent: Record<string, number> = {};
    let connectErrors: Record<string, number> = {};
    try {
      ({ connectErrors = {}, ...sent } = JSON.parse(done));
    } catch {
      ctx.check(
        "the hostile traffic ran",
        false,
        new TextDecoder().decode(output.stderr).slice(-300),
      );
    }
    for (const [key, value] of Object.entries(sent)) ctx.figure(`hostile_${key}`, value);
    for (const [name, n] of Object.entries(connectErrors)) ctx.figure(`connect_failed_${name}`, n);
    const stormPerS = Math.round((sent.storm ?? 0) / (durationMs / 1000));
    ctx.figure("storm_per_s", stormPerS);
    ctx.check(
      `the storm reaches ≥ ${STORM_FLOOR_PER_S} connects a second (aimed at ${STORM_PER_S})`,
      stormPerS >= STORM_FLOOR_PER_S,
      `${stormPerS}/s, ${sent.stormFailed ?? "?"} connects failed`,
    );
    ctx.check(
      "poison readings are nacked",
      (sent.poisonNacked ?? 0) > 0,
      `${sent.poisonNacked} of ${sent.poison}`,
    );
    const gone = [...topo.vms.values()].filter((v) => v.exited).map((v) => v.vm.name);
    ctx.check("no process crashed", gone.length === 0, gone.join(", ") || "all running");
    ctx.figure("acked_per_s_before", Math.round(rateBefore));
    ctx.figure("acked_per_s_during", Math.round(rateDuring));
    ctx.check(
      "normal devices keep ≥ 90 % of their acked rate",
      rateDuring >= 0.9 * rateBefore,
      `${Math.round(rateDuring)}/s during vs ${Math.round(rateBefore)}/s before`,
    );
    await ctx.sleep(ctx.quick ? 2_000 : 5_000);
  },
};

/**
 * The storm opens ~60,000 connections in 30 s from the one "ops" address to one lb(comm) address
 * and port: more than Linux's 28,232 ephemeral ports while each closed one waits 60 s in TIME_WAIT
 * (a full run had 4,113 connects fail with AddrNotAvailable). As a load generator's host would be
 * tuned: TIME_WAIT ports reused for new connects and the whole range, in the ops namespace only
 * (this process runs in it; /proc/sys/net is per namespace, and the rehearsal removes it at the
 * end).
 */
async function tuneOpsForStorm(): Promise<void> {
  await Deno.writeTextFile("/proc/sys/net/ipv4/tcp_tw_reuse", "1");
  await Deno.writeTextFile("/proc/sys/net/ipv4/ip_local_port_range", "1024 65535");
}

/** The fleet's acked readings per second over the next `ms`. */
async function ackedRate(ctx: Parameters<Scenario["run"]>[0], ms: number): Promise<number> {
  const [a, t] = [ctx.fleet.ackedTotal, performance.now()];
  await ctx.sleep(ms);
  return ((ctx.fleet.ackedTotal - a) * 1000) / (performance.now() - t);
}
