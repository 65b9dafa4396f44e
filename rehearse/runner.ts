/**
 * The rehearsal itself, run inside the "ops" namespace by main.ts: starts the deployment, puts
 * devices and signed-in users on it, runs the scenarios in order, audits after each what was acked
 * during it, audits everything acked once more at the end, and writes the report folder. Its last stdout line is the figures JSON.
 */
import { parseArgs } from "node:util";
import { createLogger, createMemoryLogger } from "@fleetmon/shared/log";
import { auditReadings, ensureSimDevices, type SeqSet, simDeviceIds } from "@fleetmon/devices/sim";
import type { Plan } from "./plan.ts";
import { PORTS, vm } from "./plan.ts";
import { Topology, USER } from "./topology.ts";
import { DeviceFleet } from "./devices.ts";
import { Users } from "./users.ts";
import type { Sample } from "./timeline.ts";
import type { Mark } from "./timeline.ts";
import { probeNodes } from "./probe.ts";
import { waitUntil } from "./wait.ts";
import { publicOrigin } from "./vm_files.ts";
import type { Scenario, ScenarioContext, ScenarioResult } from "./scenario.ts";
import { SCENARIOS } from "./scenarios/mod.ts";
import { writeReport } from "./report_files.ts";
import type { FinalAudit } from "./report.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    plan: { type: "string" },
    "run-dir": { type: "string" },
    "dist-dir": { type: "string" },
    "report-dir": { type: "string" },
    devices: { type: "string", default: "200" },
    rate: { type: "string", default: "2" },
    users: { type: "string", default: "8" },
    scenarios: { type: "string", default: "" },
    quick: { type: "boolean", default: false },
  },
});
const plan: Plan = JSON.parse(await Deno.readTextFile(values.plan!));
const runDir = values["run-dir"]!;
const reportDir = values["report-dir"]!;
const quick = values.quick;
const logger = createLogger({ service: "rehearse" });
const quiet = createMemoryLogger("rehearse-devices");
const wanted = values.scenarios ? values.scenarios.split(",").map(Number) : undefined;
const scenarios = wanted
  ? wanted.map((id) => SCENARIOS.find((s) => s.id === id) ?? fail(`No scenario ${id}`))
  : SCENARIOS;
const started = performance.now();
const elapsed = () => Math.round(performance.now() - started);

const topo = new Topology({
  plan,
  runDir,
  distDir: values["dist-dir"]!,
  devices: Number(values.devices),
  logger,
});
const samples: Sample[] = [];
const marks: Mark[] = [];
const results: ScenarioResult[] = [];
let fleet: DeviceFleet | undefined;
let users: Users | undefined;
let sampler: ReturnType<typeof setInterval> | undefined;
let exitCode = 0;
/** Readings acked by load outside the fleet (scenario 10's saturating load). */
let extraAcked = 0;
let finalAudit: FinalAudit | undefined;
try {
  await topo.start();
  const probes = (await ensureSimDevices(topo.db, simDeviceIds("rh-probe", 4))).devices;
  const lbComm = { hostname: vm(plan, "lb-comm").ip, port: PORTS.lbComm };
  fleet = new DeviceFleet({
    ...lbComm,
    devices: topo.devices,
    rate: Number(values.rate),
    logger: quiet,
  });
  users = new Users({
    base: publicOrigin(plan),
    caCert: topo.caCert,
    count: Number(values.users),
    ...USER,
    intervalMs: 500,
  });
  await users.start();
  const sample = () =>
    samples.push({
      t: elapsed(),
      acked: fleet!.ackedTotal + extraAcked,
      webOk: users!.counts.ok,
      webFailed: users!.counts.failed + users!.counts.signedOut,
    });
  sample();
  sampler = setInterval(sample, 1_000);
  logger.info("load running", { devices: fleet.clients.length, users: Number(values.users) });
  for (const scenario of scenarios) {
    results.push(
      await runScenario(scenario, fleet, users, (n) => probeNodes(lbComm, probes, n, quiet)),
    );
  }
  // Everything acked in the run, once more: a later fault (the database killed in 7) must not
  // have lost what an earlier scenario's audit found.
  const audit = await auditReadings(topo.db, fleet.acked);
  finalAudit = {
    checked: audit.checked,
    lost_acked: audit.lost_acked,
    duplicates: audit.duplicates,
    ms: audit.ms,
  };
  (audit.lost_acked + audit.duplicates === 0 ? logger.info : logger.warn).call(
    logger,
    "final audit",
    { ...finalAudit, lost_examples: audit.lost_examples },
  );
} catch (error) {
  logger.error("Rehearsal failed", { error });
  exitCode = 1;
} finally {
  clearInterval(sampler);
  await users?.stop();
  await fleet?.close();
  await topo.stop();
}
const figures = await writeReport(reportDir, {
  plan,
  quick,
  samples,
  marks,
  results,
  finalAudit,
  devices: Number(values.devices),
  rate: Number(values.rate),
  users: Number(values.users),
});
if (!figures.ok) exitCode = exitCode || 1;
console.log(JSON.stringify(figures));
Deno.exit(exitCode);

async function runScenario(
  scenario: Scenario,
  fleet: DeviceFleet,
  users: Users,
  probe: (n: number) => Promise<string[]>,
): Promise<ScenarioResult> {
  const result: ScenarioResult = {
    id: scenario.id,
    name: scenario.name,
    title: scenario.title,
    ok: false,
    startedMs: elapsed(),
    endedMs: 0,
    stoppedMs: 0,
    checks: [],
    figures: {},
    webErrors: [],
  };
  const web = { ...users.counts };
  users.takeSlowest();
  const ctx: ScenarioContext = {
    topo,
    fleet,
    users,
    quick,
    elapsed,
    mark: (label) => {
      marks.push({ t: elapsed(), scenario: scenario.id, label });
      logger.info("fault", { scenario: scenario.name, label });
    },
    check: (what, ok, detail) => {
      result.checks.push({ what, ok, detail });
      (ok ? logger.info : logger.warn).call(logger, ok ? "check passed" : "check failed", {
        scenario: scenario.name,
        what,
        detail,
      });
    },
    figure: (key, value) => result.figures[key] = value,
    countAcked: (n) => extraAcked += n,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    probeNodes: probe,
  };
  logger.info("scenario", { id: scenario.id, title: scenario.title });
  try {
    // Every scenario starts from a fleet spread over both comm nodes by lb(comm).
    await fleet.restart();
    await waitUntil("every device connected", 30_000, () => fleet.ready() === fleet.clients.length);
    await scenario.run(ctx);
  } catch (error) {
    result.error = (error as Error).message;
    logger.error("Scenario failed", { scenario: scenario.name, error });
  }
  fleet.stopSending();
  result.stoppedMs = elapsed();
  const drained = await fleet.drain(60_000);
  ctx.check(
    "every device's buffer drains (all its readings acked)",
    drained,
    JSON.stringify(fleet.pending()),
  );
  // Incremental: only what was acked since the last audit (the run ends with one of everything).
  const newly = fleet.takeNewlyAcked();
  // A chunk may start long before the window's readings (one write can hold a device's old
  // reading beside its new ones): the audit reads such a device again from the store's own bound
  // (MAX_CHUNK_SPAN_MS) and says how often that found what the narrow read missed.
  const audit = await auditReadings(topo.db, newly, { window: auditWindow(newly) });
  if (audit.window_missed > 0) {
    result.figures.audit_window_missed = audit.window_missed;
    logger.info("audit: found in chunks that start before the window", {
      scenario: scenario.name,
      found: audit.window_missed,
      examples: audit.window_missed_examples,
    });
  }
  result.figures.lost_acked = audit.lost_acked;
  result.figures.duplicates = audit.duplicates;
  result.figures.acked_checked = audit.checked;
  result.figures.audit_ms = audit.ms;
  ctx.check("audit: 0 acked readings lost", audit.lost_acked === 0, audit.lost_examples.join(", "));
  ctx.check("audit: 0 duplicates", audit.duplicates === 0, `${audit.duplicates}`);
  result.figures.web_requests = users.counts.ok - web.ok + users.counts.failed - web.failed;
  result.figures.web_failed = users.counts.failed - web.failed;
  result.figures.web_signed_out = users.counts.signedOut - web.signedOut;
  result.figures.web_slowest_ms = users.takeSlowest();
  if (result.figures.web_failed > 0) {
    result.webErrors = users.counts.errors.slice(-Math.min(20, result.figures.web_failed));
  }
  result.endedMs = elapsed();
  result.ok = !result.error && result.checks.every((c) => c.ok);
  logger.info("scenario done", { id: scenario.id, ok: result.ok, figures: result.figures });
  return result;
}

/**
 * The stored readings the audit of `acked` must read. A device-library client numbers its
 * readings from now_ms × 1000 at its start, one more per reading, and sends far fewer than 1,000 a
 * second, so a reading's ts is at least its seq / 1000; its chunk mostly starts with readings sent
 * with it, seconds earlier at most (the audit reads a device again from the store's bound where
 * not). 10 s of slack both ways; a window too small for a reading's ts shows as lost readings.
 */
function auditWindow(acked: Map<string, SeqSet>): { from: number; spanMs: number } {
  let lowest = Infinity;
  for (const set of acked.values()) if (set.min !== undefined) lowest = Math.min(lowest, set.min);
  const from = lowest === Infinity ? Date.now() : Math.floor(lowest / 1000) - 10_000;
  return { from, spanMs: 10_000 };
}

function fail(message: string): never {
  throw new RangeError(message);
}
