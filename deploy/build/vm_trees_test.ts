import assert from "node:assert/strict";
import { VMS } from "../plan.ts";
import { allTrees, vmTree } from "./vm_trees.ts";

const ROOT = new URL("../..", import.meta.url).pathname;

Deno.test("every VM's files come from files that exist in the repository", async () => {
  for (const { vm, files } of allTrees(["device"])) {
    for (const file of files.filter((f) => f.from.startsWith("repo:"))) {
      const path = `${ROOT}${file.from.slice("repo:".length)}`;
      await Deno.stat(path).catch(() => assert.fail(`${vm.name}: ${path} is missing`));
    }
  }
});

Deno.test("each app VM gets its tier's bundle, env or config file, unit and mongos", () => {
  const paths = (name: string) =>
    vmTree(VMS.find((v) => v.name === name)!, ["device"]).map((f) => f.to);
  assert.ok(paths("cs1").includes("/opt/fleetmon/fleetmon-comm.js"));
  assert.ok(paths("cs1").includes("/etc/fleetmon/comm.env"));
  assert.ok(paths("cs1").includes("/etc/mongodb/mongos.conf"));
  assert.ok(paths("ws0").includes("/opt/fleetmon/fleetmon-web-argon2.js"));
  assert.ok(paths("ws1").includes("/etc/sysctl.d/60-fleetmon-web.conf"), "reload loses nothing");
  assert.ok(paths("lb-web").includes("/etc/fleetmon/lb-web.json"));
  assert.ok(paths("lb-comm").includes("/opt/fleetmon/fleetmon-lb-data-plane.js"));
  assert.ok(!paths("lb-web").includes("/etc/mongodb/mongos.conf"), "lb needs no database");
  assert.ok(paths("db2").includes("/etc/mongodb/shard2.conf"));
  assert.ok(paths("admin").includes("/opt/fleetmon/fleetmon-device.js"));
});

Deno.test("no two files of a VM land on the same path", () => {
  for (const { vm, files } of allTrees(["device", "user", "db-init"])) {
    const to = files.map((f) => f.to);
    assert.equal(new Set(to).size, to.length, vm.name);
  }
});
