/**
 * `deno task start`: the seed's whole topology on this machine, each part its own process —
 * the database (FerretDB, unless MONGODB_URI is set), comm cs0 and cs1, web ws0 and ws1,
 * lb(comm) and lb(web) — and with `--simulate N`, N simulated devices. Ctrl-C stops them all.
 */
import { parseArgs } from "node:util";
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { assertCurrentLayout } from "@fleetmon/shared/readings";
import { locateFerretDB, startFerretDB } from "./ferretdb.ts";
import { freePort } from "@fleetmon/shared/socket";
import { createLogger } from "@fleetmon/shared/log";
import { ensureSelfSignedCert } from "@fleetmon/web";
import { firstRun } from "./first_run.ts";
import { isListening, type Service, startService } from "@fleetmon/shared/supervisor";
import { keepRunning, type KeptService } from "./keep_running.ts";
import { DEFAULT_PORTS, portsFrom, topology } from "./topology.ts";
import { adminTokenFile, ensureAdminToken } from "./lb_admin_tokens.ts";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    simulate: { type: "string", default: "0" },
    "data-dir": { type: "string", default: Deno.env.get("FLEETMON_DATA_DIR") ?? `${root}/.data` },
    "port-base": { type: "string" },
    "log-level": { type: "string", default: "info" },
    help: { type: "boolean", short: "h", default: false },
  },
});
if (flags.help) {
  Deno.stdout.writeSync(
    new TextEncoder().encode(`deno task start: the whole topology on this machine

Usage: deno task start [--simulate N] [--port-base P] [--data-dir DIR] [--log-level LEVEL]

  --simulate N      also run N simulated devices through lb(comm) (default 0)
  --port-base P     eleven consecutive ports from P instead of the defaults (0: any free ones)
  --data-dir DIR    database, certificates and logs (default $FLEETMON_DATA_DIR, else .data/)
  --log-level L     debug, info, warn or error for every child (default info)

Starts the database (FerretDB, unless MONGODB_URI is set), comm cs0 and cs1, web ws0 and ws1,
lb(comm) and lb(web), each its own process, restarted with backoff if it crashes. Writes
DIR/local.json so \`deno task sim\` and \`deno task device\` find this database (they look in
$FLEETMON_DATA_DIR, else .data/). Ctrl-C stops them all.
`),
  );
  Deno.exit(0);
}
const logger = createLogger({ service: "start" });
const simulate = Number(flags.simulate);
if (!Number.isInteger(simulate) || simulate < 0) {
  logger.error("Cannot start: --simulate takes a whole number of devices", { got: flags.simulate });
  Deno.exit(2);
}
const dataDir = flags["data-dir"]!;
const portBase = flags["port-base"] === undefined ? undefined : Number(flags["port-base"]);
const ports = portBase === undefined
  ? DEFAULT_PORTS
  : portsFrom(portBase, portBase === 0 ? () => freePort() : undefined);
await Deno.mkdir(`${dataDir}/logs`, { recursive: true });

/** The tiers (restarted when they crash) and, with --simulate, the simulator (run once). */
const services: (KeptService | Service)[] = [];
const localFile = `${dataDir}/local.json`;
let database: { uri: string; stop(): Promise<void> } | undefined;
let stopping = false;
const stopAll = async (code: number) => {
  if (stopping) return;
  stopping = true;
  logger.info("stopping", { services: services.map((s) => s.name) });
  for (const service of services.reverse()) {
    // The simulator first, and given time: it waits for its acks, then audits them.
    await service.stop(service.name === "sim" ? 60_000 : 10_000);
    if ("entries" in service) {
      const report = service.entries.findLast((entry) => entry.msg === "sim report");
      if (report) logger.info("simulation audit", { ok: report.ok, audit: report.audit });
    }
  }
  await Deno.remove(localFile).catch(() => {});
  await database?.stop();
  logger.info("stopped");
  Deno.exit(code);
};
Deno.addSignalListener("SIGINT", () => stopAll(0));
Deno.addSignalListener("SIGTERM", () => stopAll(0));

try {
  const envUri = Deno.env.get("MONGODB_URI");
  if (envUri) database = { uri: envUri, stop: () => Promise.resolve() };
  else {
    const bin = await locateFerretDB(logger);
    database = await startFerretDB({ bin, dataDir: `${dataDir}/ferretdb`, port: ports.db, logger });
    database.uri += "fleetmon";
  }
  const mongodbUri = database.uri;
  const { db, close } = await connectDatabase(mongodbUri, { appName: "fleetmon-start" });
  await ensureIndexes(db);
  await assertCurrentLayout(db);
  const created = await firstRun(db, Deno.env.get("FLEETMON_ADMIN_PASSWORD"));
  await close();

  const cert = await ensureSelfSignedCert(`${dataDir}/certs`);
  for (const node of ["ws0", "ws1"]) {
    await Deno.mkdir(`${dataDir}/${node}/certs`, { recursive: true });
    await Deno.copyFile(cert.certFile, `${dataDir}/${node}/certs/cert.pem`);
    await Deno.copyFile(cert.keyFile, `${dataDir}/${node}/certs/key.pem`);
  }

  const lbAdminTokens: Record<string, string> = {};
  for (const name of ["lb-comm", "lb-web"]) {
    lbAdminTokens[name] = await ensureAdminToken(adminTokenFile(dataDir, name));
  }
  const plan = topology({
    root,
    dataDir,
    mongodbUri,
    ports,
    logLevel: flags["log-level"]!,
    lbAdminTokens,
  });
  const echoProblems = (name: string) => (_line: string, entry?: Record<string, unknown>) => {
    if (entry && (entry.level === "warn" || entry.level === "error")) {
      logger.warn(`${name}: ${entry.msg}`, { from: name });
    }
  };
  for (const spec of [...plan.comm, ...plan.web, ...plan.lb]) {
    const service = await keepRunning({
      ...spec,
      ownSession: true,
      ready: isListening,
      onLine: echoProblems(spec.name),
    }, logger);
    services.push(service);
    const ready = service.current().readyEntry;
    logger.info("started", {
      service: spec.name,
      addr: ready?.addr,
      pid: ready?.pid ?? service.current().child.pid,
    });
  }
  if (simulate > 0) {
    services.push(
      await startService({
        name: "sim",
        args: [
          "run",
          `--config=${root}/deno.json`,
          "--allow-net",
          "--allow-env",
          "--allow-read",
          "--allow-sys",
          `${root}/devices/sim/main.ts`,
          `--devices=${simulate}`,
          "--duration=0",
          `--target=127.0.0.1:${ports.lbComm}`,
        ],
        env: { MONGODB_URI: mongodbUri },
        logFile: `${dataDir}/logs/sim.log`,
        ownSession: true,
        ready: (entry) => entry.msg === "sim running",
        readyTimeoutMs: 120_000,
        onLine: echoProblems("sim"),
      }),
    );
  }
  // So `deno task sim` and `deno task device` find this database without MONGODB_URI.
  await Deno.writeTextFile(
    localFile,
    JSON.stringify({ mongodbUri, lbComm: `127.0.0.1:${ports.lbComm}`, pid: Deno.pid }) + "\n",
  );
  printSummary(created, mongodbUri);
} catch (error) {
  logger.error("Cannot start fleetmon", { error: (error as Error).message });
  await stopAll(1);
}

function printSummary(created: Awaited<ReturnType<typeof firstRun>>, mongodbUri: string) {
  const lines = [
    "",
    "fleetmon is running. Open the dashboard:",
    `  https://localhost:${ports.lbWeb}/   (self-signed certificate: ${dataDir}/certs/cert.pem)`,
    created.admin
      ? `  log in as admin / ${created.admin.password}${
        created.admin.generated ? "   (generated; shown only now)" : ""
      }`
      : "  log in with the admin password set on first run (FLEETMON_ADMIN_PASSWORD)",
    "",
    "What runs where (all on 127.0.0.1):",
    `  lb(comm)  :${ports.lbComm}  → cs0 :${ports.comm[0]}, cs1 :${
      ports.comm[1]
    }   status http://127.0.0.1:${ports.lbCommAdmin}/`,
    `  lb(web)   :${ports.lbWeb}  → ws0 :${ports.web[0]}, ws1 :${
      ports.web[1]
    }   status http://127.0.0.1:${ports.lbWebAdmin}/`,
    `  lb admin tokens (POST needs Authorization: Bearer …)  ${adminTokenFile(dataDir, "lb-*")}`,
    `  comm health/metrics  http://127.0.0.1:${ports.commHealth[0]}/healthz, :${
      ports.commHealth[1]
    }`,
    `  database  ${mongodbUri}`,
    `  logs      ${dataDir}/logs/`,
    ...created.devices.length > 0
      ? [
        "",
        "Demo device tokens (shown only now):",
        ...created.devices.map((d) => `  ${d.id}  ${d.token}`),
      ]
      : [],
    simulate > 0 ? `\n${simulate} simulated devices are sending readings through lb(comm).` : "",
    "Press Ctrl-C to stop everything.",
    "",
  ];
  Deno.stdout.writeSync(new TextEncoder().encode(lines.join("\n") + "\n"));
  logger.info("fleetmon ready", {
    web: `https://localhost:${ports.lbWeb}/`,
    comm: `127.0.0.1:${ports.lbComm}`,
    lbCommAdmin: `127.0.0.1:${ports.lbCommAdmin}`,
    lbWebAdmin: `127.0.0.1:${ports.lbWebAdmin}`,
    ports,
    mongodbUri,
    demoDevices: created.devices,
    adminCreated: created.admin !== undefined,
  });
}
