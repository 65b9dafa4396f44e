/**
 * `deno task sim --devices N --rate R --duration S [--target HOST:PORT]`: N simulated devices
 * load fleetmon through lb(comm); at the end every acked reading is looked up in the database.
 * stdout carries JSON lines only, the report last; stderr carries the progress and the summary.
 */
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { createLogger, writeToStdout } from "@fleetmon/shared/log";
import { formatHostPort } from "@fleetmon/shared/net";
import { loadConfigOrExit, onStopSignals } from "@fleetmon/shared/service";
import { auditReadings } from "./audit.ts";
import { loadSimConfig } from "./config.ts";
import { Fleet, type FleetSnapshot } from "./fleet.ts";
import { createProgressDisplay, formatProgress } from "./progress.ts";
import { ensureSimDevices, simDeviceIds } from "./register.ts";
import { buildReport, formatSummary } from "./report.ts";

const config = loadConfigOrExit("sim", loadSimConfig)!;
const encoder = new TextEncoder();
const isTerminal = Deno.stderr.isTerminal();
const display = createProgressDisplay(isTerminal, (t) => Deno.stderr.writeSync(encoder.encode(t)));
const write = (line: string) => display.log(() => writeToStdout(line));
const logger = createLogger({ service: "sim", level: config.logLevel, write });
const clientLogger = createLogger({
  service: "sim",
  level: config.logLevel === "debug" ? "debug" : "warn",
  write,
});
const target = formatHostPort(config.target);

// The first signal ends the run as its duration would; a second one stops at once.
const stop = new AbortController();
onStopSignals(logger, () => {
  logger.info("stopping: no more readings; waiting for acks, then the audit");
  stop.abort();
});

const database = await connectDatabase(config.mongodbUri, { appName: "fleetmon-sim" });
await ensureIndexes(database.db);
const registered = await ensureSimDevices(
  database.db,
  simDeviceIds(config.prefix, config.devices),
);
logger.info("sim devices ready", {
  devices: config.devices,
  created: registered.created,
  rotated: registered.rotated,
});

const fleet = new Fleet({
  target: config.target,
  devices: registered.devices,
  rate: config.rate,
  connectRate: config.connectRate,
  bufferLimit: config.bufferLimit,
  seed: config.seed,
  cycleMs: config.cycleMs,
  logger: clientLogger,
});
const startedAt = Date.now();
let previous: { at: number; snapshot: FleetSnapshot } | undefined;
const showProgress = () => {
  const now = Date.now();
  const snapshot = fleet.snapshot();
  display.show(
    formatProgress(snapshot, previous?.snapshot, now - startedAt, now - (previous?.at ?? now)),
  );
  previous = { at: now, snapshot };
};
const progress = setInterval(showProgress, config.progressMs ?? (isTerminal ? 1_000 : 5_000));

const { ms: connectMs } = await fleet.connectAll(config.connectTimeoutMs, stop.signal);
const connected = fleet.snapshot().connected;
const running = {
  devices: config.devices,
  connected,
  connectMs,
  rate: config.rate,
  durationS: config.duration,
  target,
};
if (connected === config.devices) logger.info("sim running", running);
else logger.warn("sim running", { ...running, failures: fleet.failures() });

const sendingStarted = Date.now();
if (!stop.signal.aborted) {
  fleet.startSending();
  await new Promise<void>((resolve) => {
    stop.signal.addEventListener("abort", () => resolve(), { once: true });
    if (config.duration > 0) setTimeout(() => stop.abort(), config.duration * 1000);
  });
}
fleet.stopSending();
const sendingMs = Date.now() - sendingStarted;
const drained = await fleet.drain(config.drainTimeoutMs);
const snapshot = fleet.snapshot();
const failures = fleet.failures();
await fleet.close();
clearInterval(progress);
showProgress();
display.finish();

logger.info("auditing", { ackedReadings: snapshot.acked, devices: fleet.acked.size });
const audit = await auditReadings(database.db, fleet.acked, {
  onProgress: (read) => display.show(`audit: ${read.toLocaleString("en-US")} stored readings read`),
});
display.finish();
await database.close();
const report = buildReport({
  snapshot,
  audit,
  rate: config.rate,
  target,
  connectMs,
  sendingMs,
  drained,
  failures,
});
Deno.stderr.writeSync(encoder.encode(formatSummary(report) + "\n"));
logger.info("sim report", { ...report });
Deno.exit(report.ok ? 0 : 1);
