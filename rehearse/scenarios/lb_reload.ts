/**
 * Scenarios 12 and 11, both by reloading lb(comm) (SIGHUP, as the unit's ExecReload does): a
 * broken backend list is refused and changes nothing; a cloned comm VM is added without dropping
 * a device and takes new connections in round-robin order.
 */
import type { Scenario, ScenarioContext } from "../scenario.ts";
import { addVm } from "../netns.ts";
import { cloneHost, vmOf } from "../plan.ts";
import { signalVm } from "../vms.ts";
import { commBackend } from "../vm_files.ts";
import { formatEnvFile, parseEnvFile } from "../unit.ts";

function lbConfigFile(ctx: ScenarioContext): string {
  return `${ctx.topo.runDir}/vms/lb-comm/etc/fleetmon/lb-comm.json`;
}

/** Sends SIGHUP to lb(comm) and waits for its answer: "reloaded" or "reload refused…". */
async function reloadLb(ctx: ScenarioContext): Promise<Record<string, unknown>> {
  const lb = ctx.topo.running("lb-comm").service;
  const seen = lb.entries.length;
  signalVm(ctx.topo.running("lb-comm"), "SIGHUP");
  let index = -1;
  return await lb.waitFor((entry) => {
    index++;
    return index >= seen && typeof entry.msg === "string" && entry.msg.startsWith("reload");
  }, 10_000);
}

/** Connections the devices made so far (welcomes), and how many are connected now. */
function connections(ctx: ScenarioContext) {
  return {
    connects: ctx.fleet.clients.reduce((n, c) => n + c.stats.connects, 0),
    ready: ctx.fleet.ready(),
  };
}

export const badBackendList: Scenario = {
  id: 12,
  name: "bad-reload",
  title: "Lose an LB's backend list mid-traffic: reload lb(comm) with a bad file",
  async run(ctx) {
    const { topo, fleet } = ctx;
    fleet.startSending();
    await ctx.sleep(ctx.quick ? 3_000 : 8_000);
    const file = lbConfigFile(ctx);
    const good = await Deno.readTextFile(file);
    const before = { backends: await topo.backends("lb-comm"), ...connections(ctx) };
    const bad = [
      ["an empty file", ""],
      ["a cut-off file", good.slice(0, Math.floor(good.length / 2))],
      ["an empty backend list", JSON.stringify({ ...JSON.parse(good), backend: [] })],
    ];
    ctx.mark("bad backend lists, reloaded");
    for (const [what, text] of bad) {
      await Deno.writeTextFile(file, text);
      const answer = await reloadLb(ctx);
      ctx.check(
        `lb(comm) refuses ${what}`,
        String(answer.msg).startsWith("reload refused"),
        String(answer.msg),
      );
    }
    await ctx.sleep(ctx.quick ? 2_000 : 5_000);
    const after = { backends: await topo.backends("lb-comm"), ...connections(ctx) };
    const states = (b: typeof before.backends) =>
      Object.values(b).map((x) => `${x.id}:${x.state}`).sort().join(" ");
    ctx.check(
      "the backends are as they were",
      states(after.backends) === states(before.backends),
      states(after.backends),
    );
    ctx.check(
      "no device was dropped",
      after.connects === before.connects && after.ready === fleet.clients.length,
      `connects ${before.connects} → ${after.connects}, ready ${after.ready}`,
    );
    const nodes = await ctx.probeNodes(4);
    ctx.check(
      "new connections still go to both nodes",
      nodes.includes("cs0") && nodes.includes("cs1"),
      nodes.join(", "),
    );
    ctx.mark("good file back");
    await Deno.writeTextFile(file, good);
    const answer = await reloadLb(ctx);
    ctx.check("the good file reloads", answer.msg === "reloaded", JSON.stringify(answer));
    await ctx.sleep(ctx.quick ? 1_000 : 3_000);
  },
};

export const cloneComm: Scenario = {
  id: 11,
  name: "clone",
  title: "The seed's clone step: cs1's VM copied as cs2, added to lb(comm) by reload",
  async run(ctx) {
    const { topo, fleet } = ctx;
    fleet.startSending();
    await ctx.sleep(ctx.quick ? 3_000 : 8_000);
    const plan = topo.plan;
    const cs2 = vmOf(plan, "cs2", "comm", cloneHost("cs2"));
    // The clone: cs1's folder copied whole; only the node name is edited.
    const from = `${topo.runDir}/vms/cs1`;
    const to = `${topo.runDir}/vms/cs2`;
    await copyDir(from, to);
    const envFile = `${to}/etc/fleetmon/comm.env`;
    const env = parseEnvFile(await Deno.readTextFile(envFile));
    await Deno.writeTextFile(envFile, formatEnvFile({ ...env, COMM_NODE: "cs2" }));
    ctx.mark("cs2 cloned from cs1");
    await addVm(plan, cs2);
    await topo.startVm(cs2);
    const before = connections(ctx);
    const file = lbConfigFile(ctx);
    const good = await Deno.readTextFile(file);
    const config = JSON.parse(good);
    await Deno.writeTextFile(
      file,
      JSON.stringify({ ...config, backend: [...config.backend, commBackend(cs2)] }, null, 2),
    );
    ctx.mark("cs2 added to lb(comm) (reload)");
    const answer = await reloadLb(ctx);
    ctx.check(
      "lb(comm) reloads with cs2 added",
      answer.msg === "reloaded" && JSON.stringify(answer.added) === '["cs2"]',
      JSON.stringify(answer),
    );
    const up = await topo.waitForBackends("lb-comm", ["cs2"], "up", 20_000).then(
      () => true,
      () => false,
    );
    ctx.check("cs2 is checked and up", up);
    const nodes = await ctx.probeNodes(6);
    const counts = ["cs0", "cs1", "cs2"].map((n) => nodes.filter((x) => x === n).length);
    ctx.check(
      "new connections go round robin over cs0, cs1 and cs2",
      counts.every((c) => c === 2) && nodes[0] !== nodes[1] && nodes[1] !== nodes[2] &&
        nodes[0] !== nodes[2],
      nodes.join(", "),
    );
    await ctx.sleep(ctx.quick ? 2_000 : 5_000);
    const after = connections(ctx);
    ctx.check(
      "no device was dropped by the reload",
      after.connects === before.connects && after.ready === fleet.clients.length,
      `connects ${before.connects} → ${after.connects}, ready ${after.ready}`,
    );
    // Back to the seed's two comm nodes for the scenarios after this one.
    await Deno.writeTextFile(file, good);
    ctx.mark("cs2 removed (reload)");
    const removed = await reloadLb(ctx);
    ctx.check(
      "cs2 is removed by reload",
      JSON.stringify(removed.removed) === '["cs2"]',
      JSON.stringify(removed),
    );
    await ctx.sleep(1_000);
    await topo.stopVm("cs2");
  },
};

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === "output.log") continue;
    if (entry.isDirectory) await copyDir(`${from}/${entry.name}`, `${to}/${entry.name}`);
    else await Deno.copyFile(`${from}/${entry.name}`, `${to}/${entry.name}`);
  }
}
