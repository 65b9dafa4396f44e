/**
 * The seed's topology on one machine: which processes to run, on which loopback ports.
 * Pure: turns the launcher's settings into service specs.
 */
import { COMM_V8_FLAGS } from "@fleetmon/comm";
import type { ServiceSpec } from "@fleetmon/shared/supervisor";

export interface Ports {
  lbComm: number;
  lbWeb: number;
  lbCommAdmin: number;
  lbWebAdmin: number;
  comm: [number, number];
  commHealth: [number, number];
  web: [number, number];
  db: number;
}

export const DEFAULT_PORTS: Ports = {
  lbComm: 7000,
  lbWeb: 8443,
  lbCommAdmin: 9000,
  lbWebAdmin: 9001,
  comm: [7101, 7102],
  commHealth: [7111, 7112],
  web: [8101, 8102],
  db: 27018,
};

/**
 * Eleven consecutive ports from `base`, for running several topologies side by side; with
 * `pickFree`, each port is one the kernel says is free (base 0 on the command line).
 */
export function portsFrom(base: number, pickFree?: () => number): Ports {
  if (pickFree) {
    const free = () => pickFree();
    return {
      lbComm: free(),
      lbWeb: free(),
      lbCommAdmin: free(),
      lbWebAdmin: free(),
      comm: [free(), free()],
      commHealth: [free(), free()],
      web: [free(), free()],
      db: free(),
    };
  }
  return {
    lbComm: base,
    lbWeb: base + 1,
    lbCommAdmin: base + 2,
    lbWebAdmin: base + 3,
    comm: [base + 4, base + 5],
    commHealth: [base + 6, base + 7],
    web: [base + 8, base + 9],
    db: base + 10,
  };
}

export interface TopologyOptions {
  root: string;
  dataDir: string;
  mongodbUri: string;
  ports: Ports;
  logLevel: string;
  /** Each lb's admin token, by lb name (lb-comm, lb-web); see lb_admin_tokens.ts. */
  lbAdminTokens: Record<string, string>;
}

const HOST = "127.0.0.1";
const at = (port: number) => `${HOST}:${port}`;

export function topology(
  o: TopologyOptions,
): { comm: ServiceSpec[]; web: ServiceSpec[]; lb: ServiceSpec[] } {
  const deno = (script: string, permissions: string[], args: string[]) => [
    "run",
    `--config=${o.root}/deno.json`,
    ...permissions,
    `${o.root}/${script}`,
    ...args,
    `--log-level=${o.logLevel}`,
  ];
  const tierPermissions = ["--allow-net", "--allow-env", "--allow-read", "--allow-sys"];
  const env = { MONGODB_URI: o.mongodbUri };
  const comm = [0, 1].map((i): ServiceSpec => ({
    name: `cs${i}`,
    args: deno("comm/main.ts", [...tierPermissions, COMM_V8_FLAGS], [
      `--node=cs${i}`,
      `--listen=${at(o.ports.comm[i])}`,
      `--health=${at(o.ports.commHealth[i])}`,
      "--proxy-protocol=true",
    ]),
    env,
    logFile: `${o.dataDir}/logs/cs${i}.log`,
  }));
  const web = [0, 1].map((i): ServiceSpec => ({
    name: `ws${i}`,
    args: deno("web/main.ts", tierPermissions, [
      `--node=ws${i}`,
      `--listen=${at(o.ports.web[i])}`,
      `--public-origin=https://localhost:${o.ports.lbWeb},https://127.0.0.1:${o.ports.lbWeb}`,
      `--lb-admin=lb-comm=http://${at(o.ports.lbCommAdmin)},lb-web=http://${
        at(o.ports.lbWebAdmin)
      }`,
      // Relative to the node's own directory, <dataDir>/wsN: the launcher's lb admin tokens.
      "--lb-admin-token-file=../secrets/{name}.admin-token",
    ]),
    // Each web node runs from its own directory with its own copy of the certificate.
    cwd: `${o.dataDir}/ws${i}`,
    env,
    logFile: `${o.dataDir}/logs/ws${i}.log`,
  }));
  const lbPermissions = ["--allow-net", "--allow-env", "--allow-read", "--allow-ffi"];
  // By environment, not flag: a flag shows in every user's `ps`.
  const lbEnv = (name: string) => ({ LB_ADMIN_TOKEN: o.lbAdminTokens[name] });
  const lb: ServiceSpec[] = [
    {
      name: "lb-comm",
      args: deno("lb/main.ts", lbPermissions, [
        "--name=lb-comm",
        `--listen=${at(o.ports.lbComm)}`,
        `--admin=${at(o.ports.lbCommAdmin)}`,
        // Checked over HTTP on the health port, so a node that cannot store is taken out.
        "--check=http",
        "--check-path=/healthz",
        // So comm sees, logs and limits by each device's own address.
        "--proxy-protocol=v2",
        ...[0, 1].map((i) =>
          `--backend=cs${i}=${at(o.ports.comm[i])},check=${o.ports.commHealth[i]}`
        ),
      ]),
      env: lbEnv("lb-comm"),
      logFile: `${o.dataDir}/logs/lb-comm.log`,
    },
    {
      name: "lb-web",
      args: deno("lb/main.ts", lbPermissions, [
        "--name=lb-web",
        `--listen=${at(o.ports.lbWeb)}`,
        `--admin=${at(o.ports.lbWebAdmin)}`,
        // The LB holds no certificate; it only trusts ours to check /healthz over HTTPS.
        "--check=https",
        "--check-path=/healthz",
        `--check-ca-file=${o.dataDir}/certs/cert.pem`,
        // The web nodes (Deno.serve over TLS) leave Nagle on: ACK their bytes at once.
        "--quick-ack=true",
        ...[0, 1].map((i) => `--backend=ws${i}=${at(o.ports.web[i])}`),
      ]),
      env: lbEnv("lb-web"),
      logFile: `${o.dataDir}/logs/lb-web.log`,
    },
  ];
  return { comm, web, lb };
}
