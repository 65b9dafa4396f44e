/**
 * `deno task rehearse [--quick] [--scenarios 1,2] [--devices N] [--rate R] [--users U]
 * [--report-dir DIR]`: builds the artifacts, makes one network namespace per VM on a bridge of
 * its own, runs the rehearsal (runner.ts) inside the "ops" namespace, and removes everything it
 * made — on success, on failure and on Ctrl-C. The last stdout line is the figures JSON.
 * Needs root (network namespaces); otherwise says so and exits 2.
 */
import { parseArgs } from "node:util";
import { createLogger } from "@fleetmon/shared/log";
import { createNetwork, namespacesAvailable, removeNetwork } from "./netns.ts";
import { createPlan, newRunId, vm } from "./plan.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    scenarios: { type: "string", default: "" },
    devices: { type: "string" },
    rate: { type: "string", default: "2" },
    users: { type: "string", default: "8" },
    "report-dir": { type: "string" },
  },
});
const logger = createLogger({ service: "rehearse" });
const available = await namespacesAvailable();
if (!available.ok) {
  logger.error("Cannot rehearse: network namespaces are not available", { why: available.why });
  Deno.exit(2);
}

const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const reportDir = values["report-dir"] ?? `${ROOT}.data/rehearse/${stamp}`;
const runDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-" });
const plan = createPlan(newRunId());
let runner: Deno.ChildProcess | undefined;
let interrupted = false;
const onSignal = () => {
  if (interrupted) return;
  interrupted = true;
  logger.warn("Interrupted: stopping the rehearsal and removing its namespaces");
  try {
    runner?.kill("SIGTERM");
  } catch {
    // ended already
  }
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

let code = 1;
let lastLine = "";
try {
  await build();
  if (interrupted) throw new Error("Interrupted before the network was made");
  await Deno.writeTextFile(`${runDir}/plan.json`, JSON.stringify(plan));
  await createNetwork(plan);
  logger.info("network ready", {
    prefix: plan.prefix,
    subnet: plan.subnet,
    vms: plan.vms.length,
    runDir,
  });
  if (interrupted) throw new Error("Interrupted");
  runner = new Deno.Command("ip", {
    args: [
      "netns",
      "exec",
      vm(plan, "ops").ns,
      Deno.execPath(),
      "run",
      "--allow-all",
      `--config=${ROOT}deno.json`,
      `${ROOT}rehearse/runner.ts`,
      `--plan=${runDir}/plan.json`,
      `--run-dir=${runDir}`,
      `--dist-dir=${ROOT}dist`,
      `--report-dir=${reportDir}`,
      `--devices=${values.devices ?? (values.quick ? "60" : "300")}`,
      `--rate=${values.rate}`,
      `--users=${values.users}`,
      ...values.scenarios ? [`--scenarios=${values.scenarios}`] : [],
      ...values.quick ? ["--quick"] : [],
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  lastLine = await passThrough(runner.stdout);
  const status = await runner.status;
  code = interrupted ? 130 : status.code;
} catch (error) {
  logger.error("Rehearsal stopped", { error });
  code = interrupted ? 130 : 1;
} finally {
  await keepLogs();
  const problems = await removeNetwork(plan.prefix);
  if (problems.length > 0) logger.error("Cannot remove everything", { problems });
  else logger.info("network removed", { prefix: plan.prefix });
  await Deno.remove(runDir, { recursive: true }).catch(() => {});
  if (problems.length > 0 && code === 0) code = 1;
}
logger.info("report", { dir: reportDir });
if (lastLine.startsWith("{")) console.log(lastLine);
Deno.exit(code);

async function build(): Promise<void> {
  const { success } = await new Deno.Command(Deno.execPath(), {
    args: ["task", "bundle"],
    cwd: ROOT,
    stdout: "null",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error("Cannot build the artifacts: deno task bundle failed");
}

/** Copies each line through, except the last, which is returned (the figures JSON). */
async function passThrough(stream: ReadableStream<Uint8Array>): Promise<string> {
  let pending = "";
  let rest = "";
  const out = new TextEncoder();
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      if (pending) await Deno.stdout.write(out.encode(pending + "\n"));
      pending = line;
    }
  }
  return (rest || pending).trim();
}

/** Every VM's output into the report folder's logs/. */
async function keepLogs(): Promise<void> {
  try {
    await Deno.mkdir(`${reportDir}/logs`, { recursive: true });
    for await (const entry of Deno.readDir(`${runDir}/vms`)) {
      await Deno.copyFile(
        `${runDir}/vms/${entry.name}/output.log`,
        `${reportDir}/logs/${entry.name}.log`,
      )
        .catch(() => {});
    }
  } catch {
    // nothing started
  }
}
