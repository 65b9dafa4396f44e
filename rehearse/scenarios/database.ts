/** Scenario 7: the database gone for 10 s under load. */
import type { Scenario } from "../scenario.ts";

const OUTAGE_MS = 10_000;

/** comm's resident memory in MB, from /proc (each VM's process is visible from here). */
async function rssMb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`).catch(() => "");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

export const databaseGone: Scenario = {
  id: 7,
  name: "db-gone",
  title: "Database gone for 10 s under load",
  async run(ctx) {
    const { topo, fleet } = ctx;
    fleet.startSending();
    await ctx.sleep(ctx.quick ? 3_000 : 8_000);
    const pids = ["cs0", "cs1"].map((n) => topo.running(n).service.child.pid);
    const rssBefore = Math.max(...await Promise.all(pids.map(rssMb)));
    ctx.mark("database killed");
    topo.database.child.kill("SIGKILL");
    await topo.database.exited;
    // Acks of writes that completed just before the kill may still be on their way.
    await ctx.sleep(500);
    const ackedAtOutage = fleet.ackedTotal;
    let rssMax = rssBefore;
    for (let waited = 500; waited < OUTAGE_MS; waited += 500) {
      await ctx.sleep(500);
      rssMax = Math.max(rssMax, ...await Promise.all(pids.map(rssMb)));
    }
    const ackedDuring = fleet.ackedTotal - ackedAtOutage;
    ctx.figure("acked_during_outage", ackedDuring);
    ctx.check(
      "no reading is acked while the database is gone",
      ackedDuring === 0,
      `${ackedDuring}`,
    );
    ctx.figure("comm_rss_before_mb", rssBefore);
    ctx.figure("comm_rss_max_mb", rssMax);
    ctx.check(
      "comm's memory stays bounded (< 100 MB growth) while it cannot store",
      rssMax - rssBefore < 100,
      `${rssBefore} → ${rssMax} MB`,
    );
    const t1 = performance.now();
    ctx.mark("database back");
    const mark = fleet.ackedMax();
    await topo.startDatabase();
    const everyone = fleet.clients.length;
    const drained = await new Promise<number>((resolve) => {
      const deadline = performance.now() + 60_000;
      const poll = () => {
        const pending = fleet.pending().buffered;
        if (fleet.ackedSince(mark) === everyone && pending < everyone * 2) {
          resolve(Math.round(performance.now() - t1));
        } else if (performance.now() > deadline) resolve(-1);
        else setTimeout(poll, 100);
      };
      poll();
    });
    ctx.figure("recovery_ms", drained);
    ctx.check(
      "the backlog drains once the database is back (within 60 s)",
      drained >= 0,
      `${drained} ms`,
    );
    await ctx.sleep(ctx.quick ? 2_000 : 5_000);
  },
};
