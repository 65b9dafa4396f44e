/**
 * Support for the web tier's multi-process tests: a database of their own on the tests' server
 * (FLEETMON_TEST_MONGODB_URI), certificates, and real `web/main.ts` processes started from their
 * own directories (relative ./certs paths, like a cloned VM).
 */
import assert from "node:assert/strict";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { openTestDatabase, type TestDatabase, writeTestReading } from "@fleetmon/shared/testing";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { ensureSelfSignedCert } from "@fleetmon/web";

const ROOT = new URL("../", import.meta.url).pathname;

export interface Cluster extends AsyncDisposable {
  dir: string;
  uri: string;
  database: TestDatabase;
  certPem: string;
  /** Makes ./NODE/certs holding a copy of the pair, as the launcher does for each web node. */
  nodeDir(node: string): Promise<string>;
}

export async function openCluster(): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-web-it-" });
  const cleanups: (() => Promise<void>)[] = [() => Deno.remove(dir, { recursive: true })];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch(() => {});
  };
  try {
    const database = await openTestDatabase("web_it");
    cleanups.push(() => database[Symbol.asyncDispose]());
    const { certFile, keyFile } = await ensureSelfSignedCert(`${dir}/certs`);
    return {
      dir,
      uri: database.uri,
      database,
      certPem: await Deno.readTextFile(certFile),
      async nodeDir(node) {
        await Deno.mkdir(`${dir}/${node}/certs`, { recursive: true });
        await Deno.copyFile(certFile, `${dir}/${node}/certs/cert.pem`);
        await Deno.copyFile(keyFile, `${dir}/${node}/certs/key.pem`);
        return `${dir}/${node}`;
      },
      [Symbol.asyncDispose]: cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export const USER = { username: "operator", password: "s3cret-horse" };

/** A user and a device with `count` readings, written as comm writes them. */
export async function seed(database: TestDatabase, device: string, count: number, node = "cs0") {
  await createUser(database.db, { ...USER, role: "viewer" });
  await registerDevice(database.db, { id: device, name: `Boiler ${device}` });
  for (let seq = 1; seq <= count; seq++) {
    await writeReading(database, device, seq, { temp: 60 + seq, pressure: 1.5 + seq / 100 }, node);
  }
}

/** A reading written as comm writes it, two minutes back at most. */
export function writeReading(
  database: TestDatabase,
  device: string,
  seq: number,
  metrics: Record<string, number>,
  node = "cs0",
): Promise<void> {
  return writeTestReading(database.db, device, seq, metrics, { node, start: Date.now() - 120_000 });
}

export interface WebProcess extends AsyncDisposable {
  node: string;
  addr: string;
  port: number;
  /** The JSON lines it logged so far. */
  lines: Record<string, unknown>[];
  /** SIGTERM, then the exit status. */
  stop(): Promise<Deno.CommandStatus>;
  /** SIGKILL: the node dies without any clean-up; resolves once it has exited. */
  kill(): Promise<Deno.CommandStatus>;
  /** Sends a signal, e.g. SIGHUP to reload the certificate. */
  signal(signal: Deno.Signal): void;
}

/** Starts `web/main.ts` in `cwd` and resolves once it logs its "listening" line. */
export async function startWebProcess(
  options: { node: string; cwd: string; uri: string; extraArgs?: string[] },
): Promise<WebProcess> {
  const service = await startService({
    name: options.node,
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}web/main.ts`,
      "--node",
      options.node,
      "--listen",
      "127.0.0.1:0",
      "--mongodb-uri",
      options.uri,
      ...(options.extraArgs ?? []),
    ],
    cwd: options.cwd,
    ready: isListening,
  });
  const addr = String(service.readyEntry!.addr);
  return {
    node: options.node,
    addr,
    port: Number(addr.split(":").at(-1)),
    lines: service.entries,
    stop: () => service.stop(),
    kill: () => {
      service.child.kill("SIGKILL");
      return service.exited;
    },
    signal: (signal) => service.child.kill(signal),
    [Symbol.asyncDispose]: async () => {
      await service.stop();
    },
  };
}

/**
 * Starts lb(web) as deployed, passing TLS through to `backends` ("ws0=127.0.0.1:port") with TCP
 * checks; its admin API on `admin` ("127.0.0.1:port") or off.
 */
export function startLbWeb(options: { listen: string; admin?: string; backends: string[] }) {
  return startService({
    name: "lb-web",
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-ffi",
      `--config=${ROOT}deno.json`,
      `${ROOT}lb/main.ts`,
      "--name=lb-web",
      `--listen=${options.listen}`,
      `--admin=${options.admin ?? "off"}`,
      "--check=tcp",
      ...options.backends.map((backend) => `--backend=${backend}`),
    ],
    cwd: ROOT,
    ready: isListening,
  });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`Timed out waiting for ${what}${last ? `: ${last}` : ""}`);
}
