/**
 * The rehearsal removes everything it made — namespaces, veths, the bridge and every process in
 * them — when it is interrupted with Ctrl-C (SIGINT) mid-run, and when it fails.
 */
import assert from "node:assert/strict";
import { hostState, NOT_ROOT, readLines, rehearse } from "./_rehearse.ts";

const runningIn = async (prefix: string) => {
  const { stdout } = await new Deno.Command("ip", { args: ["netns", "list"] }).output();
  return new TextDecoder().decode(stdout).split("\n").filter((l) => l.startsWith(prefix)).length;
};

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
      assert.ok(prefix.startsWith("fmr"));
      assert.equal(await runningIn(prefix), 0, "no namespace of the run is left");
      assert.deepEqual(await hostState(), before, "namespaces and host links as they were");
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
      let networkMade = false;
      const [, , status] = await Promise.all([
        readLines(child.stdout, (line) => networkMade ||= line.includes('"network ready"')),
        readLines(child.stderr),
        child.status,
      ]);
      assert.ok(networkMade, "the network was made before the failure");
      assert.notEqual(status.code, 0);
      assert.deepEqual(await hostState(), before, "namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});
