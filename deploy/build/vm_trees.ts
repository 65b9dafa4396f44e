/**
 * Each VM's folder in dist/: the files it needs at the paths they take on the VM, so
 * copying dist/cs0/ onto the VM's / (docs/deploy.md, step 1: tar, root-owned, existing
 * directories untouched) installs them, then
 * `/opt/fleetmon/install.sh` creates the users and sets owners and modes. Pure: the plan only.
 *
 *   dist/<vm>/opt/fleetmon/          bundles, install.sh, docs/deploy.md, (db VMs) mongo scripts
 *   dist/<vm>/etc/fleetmon/          env and config files
 *   dist/<vm>/etc/mongodb/           mongod or mongos config
 *   dist/<vm>/etc/sysctl.d/          (web VMs) the kernel setting a certificate reload needs
 *   dist/<vm>/etc/systemd/system/    units
 */
import { type PlannedVm, VMS } from "../plan.ts";

export interface TreeFile {
  /** Where it comes from: `repo:<path>` in the repository, `dist:<file>` among the bundles. */
  from: string;
  /** Its path on the VM. */
  to: string;
  mode?: number;
}

const unit = (name: string): TreeFile => ({
  from: `repo:deploy/systemd/${name}`,
  to: `/etc/systemd/system/${name}`,
});
const bundle = (name: string): TreeFile => ({
  from: `dist:fleetmon-${name}.js`,
  to: `/opt/fleetmon/fleetmon-${name}.js`,
});
const repo = (path: string, to: string, mode?: number): TreeFile => ({
  from: `repo:${path}`,
  to,
  mode,
});

const COMMON: TreeFile[] = [
  repo("deploy/install.sh", "/opt/fleetmon/install.sh", 0o755),
  repo("docs/deploy.md", "/opt/fleetmon/docs/deploy.md"),
];

/** The role's firewall, installed but not active (docs/deploy.md, "Firewall"). */
const firewall = (role: string): TreeFile =>
  repo(`deploy/files/${role}/etc/fleetmon/nftables.conf`, "/etc/fleetmon/nftables.conf");

/** A VM that runs fleetmon code reaches the cluster through a mongos of its own. */
const MONGOS: TreeFile[] = [
  unit("fleetmon-mongos.service"),
  repo("deploy/mongo/mongos.conf", "/etc/mongodb/mongos.conf"),
];

export const MONGOD_INSTANCES = ["configsvr", "shard0", "shard1", "shard2"] as const;
const MONGO_SCRIPTS = ["init_replica_sets.sh", "init_cluster.js", "users.js", "README.md"];

/** The files of one VM; `tools` are the operator tools' bundle names that were built. */
export function vmTree(vm: PlannedVm, tools: readonly string[]): TreeFile[] {
  return [...roleTree(vm, tools), firewall(vm.role)];
}

function roleTree(vm: PlannedVm, tools: readonly string[]): TreeFile[] {
  switch (vm.role) {
    case "comm":
      return [
        ...COMMON,
        ...MONGOS,
        bundle("comm"),
        repo("deploy/files/comm/etc/fleetmon/comm.env", "/etc/fleetmon/comm.env"),
        unit("fleetmon-comm.service"),
      ];
    case "web":
      return [
        ...COMMON,
        ...MONGOS,
        bundle("web"),
        bundle("web-argon2"),
        repo("deploy/files/web/etc/fleetmon/web.env", "/etc/fleetmon/web.env"),
        repo(
          "deploy/files/web/etc/sysctl.d/60-fleetmon-web.conf",
          "/etc/sysctl.d/60-fleetmon-web.conf",
        ),
        unit("fleetmon-web.service"),
      ];
    case "lb-comm":
    case "lb-web":
      return [
        ...COMMON,
        bundle("lb"),
        bundle("lb-data-plane"),
        repo(
          `deploy/files/${vm.role}/etc/fleetmon/${vm.role}.json`,
          `/etc/fleetmon/${vm.role}.json`,
        ),
        unit("fleetmon-lb@.service"),
      ];
    case "db":
      return [
        ...COMMON,
        unit("fleetmon-mongod@.service"),
        ...MONGOD_INSTANCES.map((i) => repo(`deploy/mongo/${i}.conf`, `/etc/mongodb/${i}.conf`)),
        ...MONGO_SCRIPTS.map((s) =>
          repo(`deploy/mongo/${s}`, `/opt/fleetmon/mongo/${s}`, s.endsWith(".sh") ? 0o755 : 0o644)
        ),
      ];
    case "admin":
      return [
        ...COMMON,
        ...MONGOS,
        ...tools.map(bundle),
        repo("deploy/files/admin/etc/fleetmon/admin.env", "/etc/fleetmon/admin.env"),
        ...["init_cluster.js", "users.js"].map((s) =>
          repo(`deploy/mongo/${s}`, `/opt/fleetmon/mongo/${s}`)
        ),
      ];
  }
}

/** Every VM of the plan with its files. */
export function allTrees(tools: readonly string[]): { vm: PlannedVm; files: TreeFile[] }[] {
  return VMS.map((vm) => ({ vm, files: vmTree(vm, tools) }));
}
