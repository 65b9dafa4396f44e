/**
 * The production address plan: the seed's nine VMs (and the clone cs2) on one private /24, the
 * same host numbers the rehearsal uses (rehearse/plan.ts). Every file in deploy/ and every
 * address in README.md and docs/ follows it. Pure: names and addresses only.
 */

export type Role = "lb-comm" | "lb-web" | "comm" | "web" | "db" | "admin";

export interface PlannedVm {
  name: string;
  role: Role;
  ip: string;
}

/** The ports, the same on every VM of a role. */
export const PORTS = {
  lbComm: 7000,
  lbWeb: 443,
  /** lb's status page and admin API, on loopback of each LB VM. */
  lbAdmin: 9000,
  comm: 7101,
  /** comm's /healthz and /metrics; lb(comm) checks it, so it listens on the VM's address. */
  commHealth: 7111,
  web: 443,
  /** mongos, on loopback of every VM that runs fleetmon code. */
  mongos: 27017,
  /** On each DB VM: one config-server member and one member of each of the three shards. */
  configsvr: 27019,
  shards: [27018, 27028, 27038],
} as const;

export const SUBNET = "10.0.0.0/24";

export const VMS: readonly PlannedVm[] = [
  { name: "lb-comm", role: "lb-comm", ip: "10.0.0.10" },
  { name: "lb-web", role: "lb-web", ip: "10.0.0.11" },
  { name: "cs0", role: "comm", ip: "10.0.0.20" },
  { name: "cs1", role: "comm", ip: "10.0.0.21" },
  { name: "ws0", role: "web", ip: "10.0.0.30" },
  { name: "ws1", role: "web", ip: "10.0.0.31" },
  { name: "db0", role: "db", ip: "10.0.0.40" },
  { name: "db1", role: "db", ip: "10.0.0.41" },
  { name: "db2", role: "db", ip: "10.0.0.42" },
  /** Not one of the nine: where operators run the admin tools (any host with a mongos). */
  { name: "admin", role: "admin", ip: "10.0.0.100" },
];

/** The seed's clone step: cs0's image started as cs2 at .22 (cs3 at .23 …). */
export function cloneIp(name: string): string {
  const match = /^cs(\d+)$/.exec(name);
  if (!match || Number(match[1]) > 9) {
    throw new TypeError(`Cannot place a clone named "${name}": expected cs2 … cs9`);
  }
  return `10.0.0.${20 + Number(match[1])}`;
}

export function vmByName(name: string): PlannedVm {
  const found = VMS.find((vm) => vm.name === name);
  if (!found) throw new RangeError(`No VM named "${name}" in the address plan`);
  return found;
}
