/**
 * The rehearsed deployment, as data: the seed's nine machines (two LBs, two comm nodes, two web
 * nodes, three database machines) plus the outside world ("ops": devices, users and the operator)
 * and a switch, each a network namespace of its own on one bridge. Pure: names and addresses only.
 *
 * One FerretDB stands in for the three database VMs (db0 runs it; db1 and db2 get a namespace and
 * an address, nothing more): FerretDB cannot shard or replicate.
 */

export type Role = "lb" | "comm" | "web" | "db" | "ops";

export interface Vm {
  /** The seed's name: cs0, ws1, lb-comm… */
  name: string;
  role: Role;
  /** The network namespace it lives in. */
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** The veth end on the switch, in the switch's namespace (≤ 15 characters). */
  port: string;
}

export interface Plan {
  /** Every namespace this run makes starts with it: `fmr-<id>-`. */
  prefix: string;
  /** The namespace holding the bridge and the switch ends of every veth. */
  switchNs: string;
  bridge: string;
  /** e.g. "10.231.0.0/24": no route of the host's covers it, and it lives only in our namespaces. */
  subnet: string;
  prefixLength: number;
  vms: Vm[];
}

/** The seed's ports, the same on every VM (each VM has its own namespace, so they never clash). */
export const PORTS = {
  lbComm: 7000,
  lbWeb: 443,
  lbAdmin: 9000,
  comm: 7101,
  commHealth: 7111,
  web: 443,
  db: 27017,
} as const;

const MACHINES: { name: string; role: Role; host: number }[] = [
  { name: "lb-comm", role: "lb", host: 10 },
  { name: "lb-web", role: "lb", host: 11 },
  { name: "cs0", role: "comm", host: 20 },
  { name: "cs1", role: "comm", host: 21 },
  { name: "ws0", role: "web", host: 30 },
  { name: "ws1", role: "web", host: 31 },
  { name: "db0", role: "db", host: 40 },
  { name: "db1", role: "db", host: 41 },
  { name: "db2", role: "db", host: 42 },
  { name: "ops", role: "ops", host: 100 },
];

/** The host part a clone (scenario 11) gets: cs2 at .22, cs3 at .23… */
export function cloneHost(name: string): number {
  const match = /^cs(\d+)$/.exec(name);
  if (!match) throw new TypeError(`Cannot place a clone named "${name}": expected csN`);
  return 20 + Number(match[1]);
}

export function createPlan(runId: string, subnet = "10.231.0.0/24"): Plan {
  if (!/^[0-9a-f]{4}$/.test(runId)) {
    throw new TypeError(`Cannot make a plan: run id "${runId}" is not 4 hex digits`);
  }
  const [network, length] = subnet.split("/");
  const octets = network.split(".").map(Number);
  if (octets.length !== 4 || Number(length) !== 24 || octets[3] !== 0) {
    throw new TypeError(`Cannot make a plan: subnet "${subnet}" is not a /24 network`);
  }
  const prefix = `fmr-${runId}-`;
  const plan: Plan = {
    prefix,
    switchNs: `${prefix}switch`,
    bridge: "br0",
    subnet,
    prefixLength: 24,
    vms: [],
  };
  for (const m of MACHINES) plan.vms.push(vmOf(plan, m.name, m.role, m.host));
  return plan;
}

export function vmOf(plan: Plan, name: string, role: Role, host: number): Vm {
  const base = plan.subnet.split("/")[0].split(".").slice(0, 3).join(".");
  return { name, role, ns: `${plan.prefix}${name}`, ip: `${base}.${host}`, port: `p-${name}` };
}

export function vm(plan: Plan, name: string): Vm {
  const found = plan.vms.find((v) => v.name === name);
  if (!found) throw new RangeError(`No VM named "${name}" in the plan`);
  return found;
}

/** A fresh 4-hex-digit run id. */
export function newRunId(): string {
  return crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, "0");
}
