/**
 * The rehearsal removes everything it made — namespaces, veths, the bridge and every process in
 * them — when it is interrupted with Ctrl-C (SIGINT) mid-run, and when it fails.
 */
import assert from "node:assert/strict";
import { hostState, leftOf, runRehearsal, SKIPPED } from "./_rehearse.ts";

const LIMIT_MS = 5 * 60_000;
const skippedName = (what: string) =>
  `${what} skipped: network namespaces are not available here (${SKIPPED})`;

Deno.test({
  name: SKIPPED
    ? skippedName("rehearsal cleanup")
    : "Ctrl-C in the middle of a rehearsal removes its namespaces, links and processes",
  ignore: SKIPPED !== undefined,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-int-" });
    try {
      let sent = false;
      const run = await runRehearsal(
        ["--quick", "--scenarios=1", `--report-dir=${reportDir}`],
        LIMIT_MS,
        (line, child) => {
          const entry = line.startsWith("{") ? JSON.parse(line) : {};
          // Interrupted once the load runs on the deployment: every VM, the database, devices.
          if (entry.msg === "scenario" && !sent) {
            sent = true;
            child.kill("SIGINT");
          }
        },
      );
      assert.ok(sent, "the rehearsal got as far as its first scenario");
      assert.equal(run.status.code, 130, "an interrupted rehearsal exits 130");
      assert.ok(run.prefix.startsWith("fmr-"));
      assert.deepEqual(run.left, [], "no namespace of the run is left");
      assert.equal(run.runDirLeft, false, "its temporary folder is removed");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});

Deno.test({
  name: SKIPPED
    ? skippedName("rehearsal cleanup on failure")
    : "a rehearsal that fails after making its network removes it",
  ignore: SKIPPED !== undefined,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-fail-" });
    try {
      // No scenario 99: the runner fails inside the network, after it was made.
      const run = await runRehearsal(
        ["--quick", "--scenarios=99", `--report-dir=${reportDir}`],
        LIMIT_MS,
      );
      assert.ok(run.prefix, "the network was made before the failure");
      assert.notEqual(run.status.code, 0);
      assert.deepEqual(run.left, [], "no namespace of the run is left");
      assert.equal(run.runDirLeft, false, "its temporary folder is removed");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});

Deno.test({
  name: SKIPPED
    ? skippedName("rehearsal cleanup after SIGKILL")
    : "a rehearsal killed outright leaves its network, and the tests' helper removes it",
  ignore: SKIPPED !== undefined,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-kill-" });
    try {
      let sent = false;
      const run = await runRehearsal(
        ["--quick", "--scenarios=1", `--report-dir=${reportDir}`],
        LIMIT_MS,
        (line, child) => {
          if (!sent && line.includes('"msg":"scenario"')) {
            sent = true;
            child.kill("SIGKILL");
          }
        },
      );
      assert.ok(sent, "the rehearsal got as far as its first scenario");
      assert.ok(run.left.length > 0, "SIGKILL gave it no chance to remove its namespaces");
      assert.deepEqual(await leftOf(run.prefix), [], "the helper removed them");
      assert.ok(run.runDirLeft, "nor its temporary folder");
      await assert.rejects(Deno.stat(run.runDir), Deno.errors.NotFound, "the helper removed it");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});
