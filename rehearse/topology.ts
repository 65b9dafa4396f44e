/**
 * The seed's deployment started in the rehearsal's namespaces: FerretDB on db0 (standing in for
 * db0, db1 and db2), cs0, cs1, ws0, ws1, lb(comm) and lb(web), each VM from its own folder with
 * its own config, started with its unit's command line. Runs inside the "ops" namespace, so every
 * address it dials is a VM's.
 */
import type { Db } from "mongodb";
import { connectDatabase, createUser, ensureIndexes } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import { type Service, startService } from "@fleetmon/shared/supervisor";
import { ensureSelfSignedCert } from "@fleetmon/web";
import { ensureSimDevices, type SimDevice, simDeviceIds } from "@fleetmon/devices/sim";
import { ferretdbArgs, locateFerretDB } from "@fleetmon/deploy/local";
import { type Plan, PORTS, type Vm, vm } from "./plan.ts";
import { type RunningVm, stageVm, startVm } from "./vms.ts";
import { dbUri, vmFiles, type VmSettings } from "./vm_files.ts";
import { waitUntil } from "./wait.ts";

export interface BackendStats {
  id: string;
  state: string;
  active: number;
  total: number;
}

export interface TopologyOptions {
  plan: Plan;
  runDir: string;
  distDir: string;
  devices: number;
  logger: Logger;
}

export const USER = { username: "operator", password: "rehearsal-pass-1" };

export class Topology {
  readonly plan: Plan;
  readonly runDir: string;
  readonly settings: VmSettings;
  readonly vms = new Map<string, RunningVm>();
  db!: Db;
  devices: SimDevice[] = [];
  caCert = "";
  database!: Service;
  #closeDb: (() => Promise<void>) | undefined;
  readonly #o: TopologyOptions;

  constructor(options: TopologyOptions) {
    this.#o = options;
    this.plan = options.plan;
    this.runDir = options.runDir;
    this.settings = {
      adminToken: crypto.randomUUID(),
      mongodbUri: dbUri(options.plan),
    };
  }

  /** Starts the database, seeds it, then every VM, and waits for every backend to be up. */
  async start(): Promise<void> {
    const { plan, logger } = this.#o;
    const cert = await ensureSelfSignedCert(`${this.runDir}/certs`, {
      hostnames: ["localhost", ...plan.vms.filter((v) => v.role !== "ops").map((v) => v.ip)],
    });
    this.caCert = await Deno.readTextFile(cert.certFile);
    await this.startDatabase();
    const database = await connectDatabase(this.settings.mongodbUri, {
      appName: "fleetmon-rehearse",
    });
    this.#closeDb = database.close;
    this.db = database.db;
    await ensureIndexes(this.db);
    await createUser(this.db, { ...USER, role: "operator" });
    this.devices = (await ensureSimDevices(this.db, simDeviceIds("rh", this.#o.devices))).devices;
    logger.info("database seeded", { devices: this.devices.length });
    for (const name of ["cs0", "cs1", "ws0", "ws1", "lb-comm", "lb-web"]) {
      await this.startVm(vm(plan, name), true);
    }
    await this.waitForBackends("lb-comm", ["cs0", "cs1"], "up", 30_000);
    await this.waitForBackends("lb-web", ["ws0", "ws1"], "up", 30_000);
  }

  async startDatabase(): Promise<void> {
    const db0 = vm(this.plan, "db0");
    const dataDir = `${this.runDir}/vms/db0/var/lib/ferretdb`;
    await Deno.mkdir(dataDir, { recursive: true });
    const bin = await locateFerretDB(this.#o.logger);
    this.database = await startService({
      name: "db0",
      command: "ip",
      args: [
        "netns",
        "exec",
        db0.ns,
        bin,
        ...ferretdbArgs({ bin, dataDir, port: PORTS.db, hostname: db0.ip }),
      ],
      logFile: `${this.runDir}/vms/db0/output.log`,
    });
    await waitUntil("FerretDB on db0 accepts connections", 20_000, async () => {
      try {
        (await Deno.connect({ hostname: db0.ip, port: PORTS.db })).close();
        return true;
      } catch {
        return false;
      }
    });
  }

  /** Stages (the first time) and starts a VM's unit in its namespace. */
  async startVm(target: Vm, stage = false): Promise<RunningVm> {
    const files = vmFiles(this.plan, target, this.settings);
    const dir = stage
      ? await stageVm(target, files, {
        runDir: this.runDir,
        distDir: this.#o.distDir,
        certDir: `${this.runDir}/certs`,
      })
      : `${this.runDir}/vms/${target.name}`;
    const running = await startVm(target, dir, files);
    this.vms.set(target.name, running);
    this.#o.logger.info("vm started", {
      vm: target.name,
      ip: target.ip,
      pid: running.service.child.pid,
    });
    return running;
  }

  /** Stops a VM's process (SIGTERM, as systemctl stop does) and forgets it. */
  async stopVm(name: string): Promise<void> {
    await this.vms.get(name)?.service.stop(20_000);
    this.vms.delete(name);
  }

  running(name: string): RunningVm {
    const found = this.vms.get(name);
    if (!found) throw new RangeError(`VM ${name} is not running`);
    return found;
  }

  async backends(lb: "lb-comm" | "lb-web"): Promise<Record<string, BackendStats>> {
    const response = await fetch(`http://${vm(this.plan, lb).ip}:${PORTS.lbAdmin}/stats`, {
      headers: { authorization: `Bearer ${this.settings.adminToken}` },
      signal: AbortSignal.timeout(2_000),
    });
    const stats = await response.json();
    return Object.fromEntries((stats.backends as BackendStats[]).map((b) => [b.id, b]));
  }

  /** An admin action on one of an lb's backends (`POST /backends/:id/drain|disable|enable`). */
  async backendAction(
    lb: "lb-comm" | "lb-web",
    action: "drain" | "disable" | "enable",
    id: string,
  ): Promise<void> {
    const url = `http://${vm(this.plan, lb).ip}:${PORTS.lbAdmin}/backends/${id}/${action}`;
    const response = await fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${this.settings.adminToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    const body = await response.text();
    if (!response.ok) {
      throw new Error(`Cannot ${action} ${id} on ${lb}: ${response.status} ${body}`);
    }
  }

  async waitForBackends(
    lb: "lb-comm" | "lb-web",
    ids: string[],
    state: string,
    timeoutMs: number,
  ): Promise<number> {
    const started = performance.now();
    await waitUntil(`${ids.join(", ")} ${state} on ${lb}`, timeoutMs, async () => {
      const backends = await this.backends(lb).catch(() => ({} as Record<string, BackendStats>));
      return ids.every((id) => backends[id]?.state === state);
    }, 50);
    return Math.round(performance.now() - started);
  }

  /** Stops every VM, then the database. */
  async stop(): Promise<void> {
    const order = ["lb-comm", "lb-web", ...[...this.vms.keys()].filter((n) => !n.startsWith("lb"))];
    for (const name of order) await this.vms.get(name)?.service.stop(10_000).catch(() => {});
    await this.#closeDb?.().catch(() => {});
    await this.database?.stop(5_000).catch(() => {});
  }
}
