/** Scenario 9: devices resend their last 1,000 readings through both comm nodes. */
import { ensureSimDevices, SeqSet, simDeviceIds } from "@fleetmon/devices/sim";
import { auditReadings } from "@fleetmon/devices/sim";
import type { Scenario } from "../scenario.ts";
import { PORTS, vm } from "../plan.ts";
import { type Reading, sendReadings } from "../replay_link.ts";

const READINGS = 1_000;

export const replay: Scenario = {
  id: 9,
  name: "replay",
  title: "Replay: devices resend their last 1,000 readings through both comm nodes",
  async run(ctx) {
    const { topo, fleet } = ctx;
    fleet.startSending();
    const count = ctx.quick ? 2 : 6;
    const devices = (await ensureSimDevices(topo.db, simDeviceIds("rh-replay", count))).devices;
    const target = { hostname: vm(topo.plan, "lb-comm").ip, port: PORTS.lbComm };
    const base = Date.now() * 1000;
    const readingsOf = (i: number): Reading[] =>
      Array.from({ length: READINGS }, (_, k) => ({
        seq: base + k,
        ts: Math.floor(base / 1000) - READINGS + k + i,
        metrics: { replay: k, device: i },
      }));
    const firsts = await Promise.all(
      devices.map((device, i) => sendReadings(target, device, readingsOf(i), 60_000)),
    );
    for (const [i, first] of firsts.entries()) {
      ctx.check(
        `${devices[i].id}: its ${READINGS} readings are acked`,
        first.unacked === 0,
        JSON.stringify(first),
      );
    }
    const acked = new Map(devices.map((d) => {
      const set = new SeqSet();
      for (let k = 0; k < READINGS; k++) set.add(base + k);
      return [d.id, set];
    }));
    const before = await auditReadings(topo.db, acked);
    ctx.mark("replay through both comm nodes");
    const nodes = new Set<string>();
    let unacked = 0;
    // Twice through lb(comm): its round robin sends consecutive connections to both nodes.
    for (let pass = 0; pass < 2; pass++) {
      const again = await Promise.all(
        devices.map((device, i) => sendReadings(target, device, readingsOf(i), 60_000)),
      );
      for (const r of again) {
        nodes.add(r.node);
        unacked += r.unacked;
      }
    }
    ctx.check("the replays went through both comm nodes", nodes.size === 2, [...nodes].join(", "));
    ctx.figure("resent", count * READINGS * 2);
    ctx.figure("resent_unacked", unacked);
    ctx.check("every resend is acked", unacked === 0, `${unacked} not acked`);
    const after = await auditReadings(topo.db, acked);
    ctx.figure("replay_stored_before", before.found);
    ctx.figure("replay_stored_after", after.found);
    ctx.figure("replay_duplicates", after.duplicates);
    ctx.check(
      "stored counts are unchanged: each reading stored exactly once",
      before.found === count * READINGS && after.found === before.found && after.duplicates === 0,
      `before ${before.found}, after ${after.found}, duplicates ${after.duplicates}`,
    );
    await ctx.sleep(ctx.quick ? 1_000 : 3_000);
  },
};
