/**
 * The bounded rehearsal (`deno task rehearse --quick`): the seed's nine machines as network
 * namespaces running the built artifacts, scenarios 1–5 (comm faults), 7 (database gone), 9 (replay), 12 (bad LB
 * reload), 11 (clone) and 6 (web node killed, web cable pulled) under a small load, each
 * asserting its own figures and an audit of 0 acked readings lost and 0 duplicates. The full run
 * is `deno task rehearse` (docs/rehearse.md).
 */
import assert from "node:assert/strict";
import { hostState, leftOf, NOT_ROOT, prefixOf, readLines, rehearse } from "./_rehearse.ts";

Deno.test({
  name: NOT_ROOT
    ? "rehearsal skipped: network namespaces need root"
    : "the quick rehearsal passes scenarios 1-7, 9, 11 and 12 with nothing acked lost and cleans up after itself",
  ignore: NOT_ROOT,
  async fn() {
    const before = await hostState();
    const reportDir = await Deno.makeTempDir({ prefix: "fleetmon-rehearse-test-" });
    try {
      const child = rehearse([
        "--quick",
        "--scenarios=1,2,3,4,5,7,9,12,11,6",
        `--report-dir=${reportDir}`,
      ]);
      const [lines, errors, status] = await Promise.all([
        readLines(child.stdout),
        readLines(child.stderr),
        child.status,
      ]);
      const last = lines.filter(Boolean).at(-1) ?? "";
      assert.ok(
        last.startsWith("{"),
        `last line is the figures JSON:\n${lines.slice(-20).join("\n")}\n${
          errors.slice(-20).join("\n")
        }`,
      );
      const figures = JSON.parse(last);
      const summary = await Deno.readTextFile(`${reportDir}/summary.txt`);
      assert.equal(status.code, 0, summary);
      assert.equal(figures.ok, true, summary);
      assert.deepEqual(Object.keys(figures.scenarios), [
        "1-cable",
        "2-kill",
        "3-drain",
        "4-freeze",
        "5-db-cut",
        "7-db-gone",
        "9-replay",
        "12-bad-reload",
        "11-clone",
        "6-web",
      ]);
      for (
        const [name, s] of Object.entries(figures.scenarios) as [string, Record<string, number>][]
      ) {
        assert.equal(s.lost_acked, 0, `${name}: acked readings lost`);
        assert.equal(s.duplicates, 0, `${name}: duplicates`);
        assert.ok(s.acked_checked > 0, `${name}: the audit checked acked readings`);
        const png = await Deno.readFile(`${reportDir}/${name}.png`);
        assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47], `${name}.png is a PNG`);
      }
      assert.deepEqual(JSON.parse(await Deno.readTextFile(`${reportDir}/figures.json`)), figures);
      assert.deepEqual(await leftOf(prefixOf(lines)), [], "none of the run's namespaces is left");
      assert.deepEqual(await hostState(), before, "other namespaces and host links as they were");
    } finally {
      await Deno.remove(reportDir, { recursive: true });
    }
  },
});
