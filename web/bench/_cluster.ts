/**
 * The benchmark's cluster, as the seed deploys it on one machine: the local database
 * (`deno task db:local`), two web nodes ws0 and ws1 each in a directory of its own with a copy of
 * the certificate, and lb(web) passing TLS through to them. A figure gets it as a BenchCluster.
 */
import type { Db } from "mongodb";
import { connectDatabase, createUser, ensureIndexes } from "@fleetmon/shared/db";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, type Service, startService } from "@fleetmon/shared/supervisor";
import { ensureSelfSignedCert } from "../cert.ts";

export const ROOT = new URL("../..", import.meta.url).pathname;
export const BENCH_USER = { username: "bench-admin", password: "bench-password-1" };

export interface BenchCluster {
  /** Scratch directory, removed at the end. */
  dir: string;
  /** The database's URI (names the bench database) and an open handle to it. */
  uri: string;
  db: Db;
  certFile: string;
  /** lb(web)'s address, `https://127.0.0.1:PORT`. */
  base: string;
  /** The web nodes' own addresses, HOST:PORT. */
  webNodes: string[];
  /** lb(web)'s admin API, `http://127.0.0.1:PORT`. */
  lbAdmin: string;
  /** A client that trusts the cluster's certificate. */
  client: Deno.HttpClient;
  /** A session cookie of an admin (`fm_session=…` or whatever the node names it). */
  cookie: string;
  /** Starts another process that is stopped with the cluster. */
  start(spec: Parameters<typeof startService>[0]): Promise<Service>;
  /** Starts lb(web)'s binary with these backends (HOST:PORT) on a free port; returns its base URL. */
  startLb(name: string, backends: string[], check?: "https" | "tcp"): Promise<string>;
}

export const denoArgs = (script: string, permissions: string[], args: string[]) => [
  "run",
  `--config=${ROOT}deno.json`,
  ...permissions,
  `${ROOT}${script}`,
  ...args,
];

/** `seed` runs on the fresh database before the web nodes start (they load the fleet at start). */
export async function openBenchCluster(
  say: (line: string) => void,
  seed: (db: Db) => Promise<void> = async () => {},
): Promise<BenchCluster & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-bench-web-" });
  const services: Service[] = [];
  const start = async (spec: Parameters<typeof startService>[0]) => {
    const service = await startService(spec);
    services.push(service);
    return service;
  };
  let database: Awaited<ReturnType<typeof connectDatabase>> | undefined;
  let client: Deno.HttpClient | undefined;
  const close = async () => {
    client?.close();
    for (const service of services.reverse()) await service.stop().catch(() => {});
    await database?.close().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    say("starting the database");
    const db = await start({
      name: "db",
      args: ["task", "--quiet", "db:local", `--data-dir=${dir}/db`],
      cwd: ROOT,
      ready: (entry) => entry.msg === "database ready",
      readyTimeoutMs: 300_000,
    });
    const uri = `${db.readyEntry!.uri}bench`;
    database = await connectDatabase(uri, { appName: "bench-web" });
    await ensureIndexes(database.db);
    await createUser(database.db, { ...BENCH_USER, role: "admin" });
    await seed(database.db);
    const { certFile, keyFile } = await ensureSelfSignedCert(`${dir}/certs`);
    client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certFile)] });

    const webNodes: string[] = [];
    for (const node of ["ws0", "ws1"]) {
      await Deno.mkdir(`${dir}/${node}/certs`, { recursive: true });
      await Deno.copyFile(certFile, `${dir}/${node}/certs/cert.pem`);
      await Deno.copyFile(keyFile, `${dir}/${node}/certs/key.pem`);
      const service = await start({
        name: node,
        args: denoArgs(
          "web/main.ts",
          ["--allow-net", "--allow-env", "--allow-read", "--allow-sys"],
          [
            `--node=${node}`,
            "--listen=127.0.0.1:0",
            "--log-level=info",
          ],
        ),
        cwd: `${dir}/${node}`,
        env: { MONGODB_URI: uri },
        ready: isListening,
        readyTimeoutMs: 120_000,
      });
      webNodes.push(String(service.readyEntry!.addr));
    }

    let lbAdmin = "";
    const startLb = async (name: string, backends: string[], check: "https" | "tcp" = "https") => {
      const port = freePort();
      const service = await start({
        name,
        args: denoArgs(
          "lb/main.ts",
          ["--allow-net", "--allow-env", "--allow-read", "--allow-ffi"],
          [
            `--name=${name}`,
            `--listen=127.0.0.1:${port}`,
            "--admin=127.0.0.1:0",
            `--check=${check}`,
            // Both front Deno.serve over TLS, which leaves Nagle on: as lb(web) is deployed.
            "--quick-ack=true",
            ...(check === "https" ? ["--check-path=/healthz", `--check-ca-file=${certFile}`] : []),
            ...backends.map((addr, i) => `--backend=b${i}=${addr}`),
            "--log-level=info",
          ],
        ),
        ready: isListening,
      });
      if (name === "lb-web") lbAdmin = `http://${service.readyEntry!.admin ?? ""}`;
      await waitForBackendsUp(client!, `https://127.0.0.1:${port}`, check);
      return `https://127.0.0.1:${port}`;
    };
    const base = await startLb("lb-web", webNodes);
    const cookie = await signIn(client, base);
    return {
      dir,
      uri,
      db: database.db,
      certFile,
      base,
      webNodes,
      lbAdmin,
      client,
      cookie,
      start,
      startLb,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Signs in through the JSON API as BENCH_USER; returns the cookie to send back. */
export async function signIn(client: Deno.HttpClient, base: string): Promise<string> {
  const response = await fetch(`${base}/api/login`, {
    client,
    method: "POST",
    headers: { "content-type": "application/json", origin: base },
    body: JSON.stringify(BENCH_USER),
  });
  await response.body?.cancel();
  const cookie = response.headers.get("set-cookie")?.split(";")[0];
  if (response.status !== 200 || !cookie) {
    throw new Error(`Cannot sign in for the benchmark: HTTP ${response.status}`);
  }
  return cookie;
}

async function waitForBackendsUp(client: Deno.HttpClient, base: string, check: string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${base}${check === "https" ? "/healthz" : "/"}`, { client })
      .then(async (r) => (await r.body?.cancel(), r.ok), () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`Cannot benchmark: ${base} did not answer within 30 s`);
}
