import assert from "node:assert/strict";
import { DEFAULT_PORTS, topology } from "./topology.ts";

Deno.test("the local launcher gives each lb its own admin token, in its environment and never on its command line", () => {
  const plan = topology({
    root: "/repo",
    dataDir: "/repo/.data",
    mongodbUri: "mongodb://127.0.0.1:27018/fleetmon",
    ports: DEFAULT_PORTS,
    logLevel: "info",
    lbAdminTokens: { "lb-comm": "a".repeat(64), "lb-web": "b".repeat(64) },
  });
  assert.deepEqual(plan.lb.map((spec) => [spec.name, spec.env?.LB_ADMIN_TOKEN]), [
    ["lb-comm", "a".repeat(64)],
    ["lb-web", "b".repeat(64)],
  ]);
  for (const spec of plan.lb) {
    assert.ok(!spec.args.some((arg) => /[ab]{64}/.test(arg)), `${spec.name}: ${spec.args}`);
  }
  // The web nodes' cluster page reads the same tokens from the launcher's files.
  for (const spec of plan.web) {
    assert.ok(spec.args.includes("--lb-admin-token-file=../secrets/{name}.admin-token"));
  }
});
