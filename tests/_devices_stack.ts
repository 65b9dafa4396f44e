/**
 * The device path as real processes, for the devices_* tests: FerretDB, comm cs0 and cs1, and
 * lb(comm) in front of them (HTTP health checks, PROXY v2), like `deno task start` runs them but
 * on free ports and with quick health checks. Each part can be killed, frozen or restarted.
 */
import type { Db, MongoClient } from "mongodb";
import { connectDatabase, ensureIndexes } from "@fleetmon/shared/db";
import { locateFerretDB, startFerretDB } from "@fleetmon/deploy/local";
import { freePort } from "@fleetmon/shared/socket";
import { createDeviceClient, type DeviceClient } from "@fleetmon/devices/lib";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { eventually } from "@fleetmon/shared/testing";
import { ensureSimDevices, SeqSet, type SimDevice, simDeviceIds } from "@fleetmon/devices/sim";
import type { Service } from "@fleetmon/shared/supervisor";
import { startCommProcess, startLbProcess } from "./_protocol_topology.ts";

const quiet = createMemoryLogger("test");

export interface Database {
  uri: string;
  signal(name: Deno.Signal): void;
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
}

export interface DeviceStack {
  uri: string;
  db: Db;
  lbPort: number;
  database: Database;
  comm: Record<"cs0" | "cs1", Service>;
  lb: Service;
  /** Starts a comm node again, same name and ports, after it was stopped or killed. */
  restartComm(name: "cs0" | "cs1"): Promise<Service>;
  registerDevices(prefix: string, count: number): Promise<SimDevice[]>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startDeviceStack(): Promise<DeviceStack> {
  const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-devices-test-" });
  const cleanups: (() => Promise<void>)[] = [
    () => Deno.remove(dataDir, { recursive: true }),
  ];
  const dispose = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  };
  try {
    const database = await startDatabase(`${dataDir}/db`);
    cleanups.push(() => database.stop());
    const uri = `${database.uri}fleetmon`;
    const client: { db: Db; client: MongoClient; close(): Promise<void> } = await connectDatabase(
      uri,
      { appName: "fleetmon-test" },
    );
    cleanups.push(() => client.close());
    await ensureIndexes(client.db);
    const ports = { comm: [freePort(), freePort()], health: [freePort(), freePort()] };
    const comm = {} as Record<"cs0" | "cs1", Service>;
    const startComm = async (i: number) => {
      const name = (["cs0", "cs1"] as const)[i];
      comm[name] = (await startCommProcess({
        node: name,
        uri,
        proxyProtocol: true,
        flags: ["--heartbeat-ms=1000"],
        port: ports.comm[i],
        healthPort: ports.health[i],
      })).service;
      return comm[name];
    };
    for (const i of [0, 1]) await startComm(i);
    cleanups.push(async () => {
      await Promise.all([comm.cs0.stop(5_000), comm.cs1.stop(5_000)]);
    });
    const { service: lb, port: lbPort } = await startLbProcess({
      proxyProtocol: "v2",
      backends: [0, 1].map((i) => ({
        name: `cs${i}`,
        port: ports.comm[i],
        healthPort: ports.health[i],
      })),
    });
    cleanups.push(() => lb.stop(5_000).then(() => {}));
    return {
      uri,
      db: client.db,
      lbPort,
      database,
      comm,
      lb,
      async restartComm(name) {
        await comm[name].stop(5_000);
        return await startComm(name === "cs0" ? 0 : 1);
      },
      async registerDevices(prefix, count) {
        return (await ensureSimDevices(client.db, simDeviceIds(prefix, count))).devices;
      },
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** FerretDB on a port of its own, which a test may kill, freeze or restart. */
async function startDatabase(dataDir: string): Promise<Database> {
  const options = { bin: await locateFerretDB(quiet), dataDir, port: freePort(), logger: quiet };
  let running = await startFerretDB(options);
  const database: Database = {
    uri: running.uri,
    signal(name) {
      try {
        Deno.kill(running.pid, name);
      } catch {
        // already gone
      }
    },
    async stop() {
      database.signal("SIGCONT");
      database.signal("SIGKILL");
      await running.stop();
    },
    async restart() {
      await database.stop();
      running = await startFerretDB(options);
    },
  };
  return database;
}

/** Device clients of the library through lb(comm), each with its acked seqs recorded. */
export interface TestFleet {
  clients: DeviceClient[];
  acked: Map<string, SeqSet>;
  /** Sends one reading from every client; returns how many were handed over. */
  sendRound(): number;
  close(): Promise<void>;
}

export function createTestFleet(
  lbPort: number,
  devices: SimDevice[],
  options: { bufferLimit?: number } = {},
): TestFleet {
  const acked = new Map<string, SeqSet>();
  const clients = devices.map((device) => {
    const seqs = new SeqSet();
    acked.set(device.id, seqs);
    return createDeviceClient({
      target: { hostname: "127.0.0.1", port: lbPort },
      device: device.id,
      token: device.token,
      logger: quiet,
      bufferLimit: options.bufferLimit ?? 100_000,
      backoff: { initialMs: 100, maxMs: 1_000, jitter: "full" },
      events: { onAcked: (list) => list.forEach((seq) => seqs.add(seq)) },
    });
  });
  let round = 0;
  return {
    clients,
    acked,
    sendRound() {
      round++;
      for (const client of clients) client.send({ round, cpu: (round % 100) / 100 });
      return clients.length;
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  };
}

export { eventually };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function sum(clients: DeviceClient[], pick: (c: DeviceClient) => number): number {
  return clients.reduce((total, c) => total + pick(c), 0);
}
