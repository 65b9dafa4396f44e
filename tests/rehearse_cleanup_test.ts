/**
 * The rehearsal removes everything it made — namespaces, veths, the bridge and every process in
 * them — when it is interrupted with Ctrl-C (SIGINT) mid-run, and when it fails.
 */
import assert from "node:assert/strict";
import { hostState, leftOf, NOT_ROOT, prefixOf, readLines, rehearse } from "./_rehearse.ts";

Deno.test({
  name: NOT_ROOT
    ? "rehearsal cleanup skipped: network namespaces need root"
    : "Ctrl-C in the middle of a rehearsal removes its namespaces, links and processes",
  ignore: NOT_ROOT,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-int-" });
    try {
      const child = rehearse(["--quick", "--scenarios=1", `--report-dir=${reportDir}`]);
      let prefix = "";
      let sent = false;
      const stdout = readLines(child.stdout, (line) => {
        const entry = line.startsWith("{") ? JSON.parse(line) : {};
        if (entry.msg === "network ready") prefix = entry.prefix;
        // Interrupted once the load runs on the deployment: every VM, the database, devices.
        if (entry.msg === "scenario" && !sent) {
          sent = true;
          child.kill("SIGINT");
        }
      });
      const [, , status] = await Promise.all([stdout, readLines(child.stderr), child.status]);
      assert.ok(sent, "the rehearsal got as far as its first scenario");
      assert.equal(status.code, 130, "an interrupted rehearsal exits 130");
      assert.ok(prefix.startsWith("fmr-"));
      assert.deepEqual(await leftOf(prefix), [], "no namespace of the run is left");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});

Deno.test({
  name: NOT_ROOT
    ? "rehearsal cleanup on failure skipped: network namespaces need root"
    : "a rehearsal that fails after making its network removes it",
  ignore: NOT_ROOT,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-fail-" });
    try {
      // No scenario 99: the runner fails inside the network, after it was made.
      const child = rehearse(["--quick", "--scenarios=99", `--report-dir=${reportDir}`]);
      const [lines, , status] = await Promise.all([
        readLines(child.stdout),
        readLines(child.stderr),
        child.status,
      ]);
      const prefix = prefixOf(lines);
      assert.ok(prefix, "the network was made before the failure");
      assert.notEqual(status.code, 0);
      assert.deepEqual(await leftOf(prefix), [], "no namespace of the run is left");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});
