/**
 * Each VM's deployment files, as deploy/systemd/ describes them: the unit to run, the
 * environment or config file it reads, and which built artifact goes in /opt/fleetmon. Pure.
 */
import { type Plan, PORTS, type Vm, vm } from "./plan.ts";
import { formatEnvFile } from "./unit.ts";

export interface VmFiles {
  /** deploy/systemd/ unit file name, and its instance (`fleetmon-lb@.service`, "comm"). */
  unit: string;
  instance?: string;
  /** The built file copied to /opt/fleetmon. */
  artifact: string;
  /** Files written, by path inside the VM. */
  files: Record<string, string>;
  /** Whether /opt/fleetmon/certs gets its own copy of the certificate and key. */
  certs: boolean;
}

export interface VmSettings {
  adminToken: string;
  /** The database URI comm and web are given (db0, the FerretDB standing in for all three). */
  mongodbUri: string;
}

/** lb's health checks, as the deployment sets them (lb's defaults, written out). */
export const HEALTH = { checkIntervalMs: 1_000, checkTimeoutMs: 1_000, rise: 2, fall: 3 } as const;

/**
 * How long lb(web) waits for a web node to accept a connection before it tries the other, as the
 * deployment sets it (deploy/files/lb-web/etc/fleetmon/lb-web.json; lb's default is 3 s): a user
 * whose request lb sends to a node that just lost its cable waits this long, on top of the request.
 */
export const WEB_CONNECT_TIMEOUT_MS = 1_000;

/** How soon lb must mark a dead backend down: fall × interval + timeout (docs/lb.md). */
export const DETECTION_BOUND_MS = HEALTH.fall * HEALTH.checkIntervalMs + HEALTH.checkTimeoutMs;

/** The origin users reach the dashboard at: lb(web), on the default HTTPS port. */
export function publicOrigin(plan: Plan): string {
  return `https://${vm(plan, "lb-web").ip}${PORTS.lbWeb === 443 ? "" : `:${PORTS.lbWeb}`}`;
}

export function dbUri(plan: Plan): string {
  return `mongodb://${vm(plan, "db0").ip}:${PORTS.db}/fleetmon`;
}

export function vmFiles(plan: Plan, target: Vm, settings: VmSettings): VmFiles {
  switch (target.role) {
    case "comm":
      return {
        unit: "fleetmon-comm.service",
        artifact: "fleetmon-comm.js",
        certs: false,
        files: {
          "/etc/fleetmon/comm.env": formatEnvFile({
            COMM_NODE: target.name,
            COMM_LISTEN: `0.0.0.0:${PORTS.comm}`,
            COMM_HEALTH: `0.0.0.0:${PORTS.commHealth}`,
            COMM_PROXY_PROTOCOL: "true",
            MONGODB_URI: settings.mongodbUri,
          }),
        },
      };
    case "web":
      return {
        unit: "fleetmon-web.service",
        artifact: "fleetmon-web.js",
        certs: true,
        files: {
          "/etc/fleetmon/web.env": formatEnvFile({
            WEB_NODE: target.name,
            WEB_LISTEN: `0.0.0.0:${PORTS.web}`,
            // Where users reach the dashboard: lb(web)'s address.
            WEB_PUBLIC_ORIGIN: publicOrigin(plan),
            MONGODB_URI: settings.mongodbUri,
          }),
        },
      };
    case "lb": {
      const tier = target.name === "lb-comm" ? "comm" : "web";
      return {
        unit: "fleetmon-lb@.service",
        instance: tier,
        artifact: "fleetmon-lb.js",
        certs: tier === "web",
        files: {
          [`/etc/fleetmon/lb-${tier}.json`]: JSON.stringify(
            lbConfig(plan, tier, settings),
            null,
            2,
          ) + "\n",
        },
      };
    }
    default:
      throw new RangeError(`No deployment files for ${target.name} (${target.role})`);
  }
}

/** lb's JSON config (docs/lb.md): the comm backends with their health ports, or the web ones. */
export function lbConfig(plan: Plan, tier: "comm" | "web", settings: VmSettings) {
  const backends = plan.vms.filter((v) => v.role === tier);
  const common = {
    name: `lb-${tier}`,
    admin: `0.0.0.0:${PORTS.lbAdmin}`,
    adminToken: settings.adminToken,
    ...HEALTH,
  };
  if (tier === "comm") {
    return {
      ...common,
      listen: `0.0.0.0:${PORTS.lbComm}`,
      check: "http",
      checkPath: "/healthz",
      proxyProtocol: "v2",
      backend: backends.map(commBackend),
    };
  }
  return {
    ...common,
    listen: `0.0.0.0:${PORTS.lbWeb}`,
    check: "https",
    checkPath: "/healthz",
    checkCaFile: "certs/cert.pem",
    // The web nodes (Deno.serve over TLS) leave Nagle on: ACK their bytes at once (docs/lb.md).
    quickAck: true,
    connectTimeoutMs: WEB_CONNECT_TIMEOUT_MS,
    backend: backends.map((b) => ({ id: b.name, address: `${b.ip}:${PORTS.web}` })),
  };
}

export function commBackend(b: Vm) {
  return { id: b.name, address: `${b.ip}:${PORTS.comm}`, check: `${b.ip}:${PORTS.commHealth}` };
}
