import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { eventually } from "@fleetmon/shared/testing";
import { keepRunning, restartDelayMs } from "./keep_running.ts";

const FAST = { baseDelayMs: 20, maxDelayMs: 100, stableMs: 60_000 };

Deno.test("restart delays double from the base up to the cap", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((n) => restartDelayMs(n)), [
    1_000,
    2_000,
    4_000,
    8_000,
    16_000,
    30_000,
    30_000,
  ]);
});

/** A child that logs "listening", then exits with `code` on its first `crashes` runs. */
function crashingChild(dir: string, crashes: number, code: number) {
  const script = `
    const f = ${JSON.stringify(`${dir}/runs`)};
    let runs = 0; try { runs = Number(Deno.readTextFileSync(f)); } catch {}
    Deno.writeTextFileSync(f, String(runs + 1));
    console.log(JSON.stringify({ msg: "listening", run: runs + 1 }));
    if (runs < ${crashes}) setTimeout(() => Deno.exit(${code}), 50);
    else setInterval(() => {}, 1000);`;
  return {
    name: "cs0",
    args: ["eval", script],
    ready: (entry: Record<string, unknown>) => entry.msg === "listening",
  };
}

Deno.test("the launcher restarts a crashed child with backoff and says so", async () => {
  const dir = await Deno.makeTempDir();
  const logger = createMemoryLogger();
  const kept = await keepRunning(crashingChild(dir, 2, 1), logger, FAST);
  try {
    await eventually(
      () => kept.restarts() === 2 && kept.current().readyEntry?.run === 3,
      20_000,
      "the third run",
    );
    const said = logger.lines.filter((e) => e.msg === "cs0 exited unexpectedly; restarting it");
    assert.equal(said.length, 2);
    assert.equal(said[0].level, "error");
    assert.deepEqual(said.map((e) => e.inMs), [20, 40], "the second wait is twice the first");
  } finally {
    await kept.stop(2_000);
    await Deno.remove(dir, { recursive: true });
  }
  assert.equal(kept.restarts(), 2, "a child stopped by the launcher is not restarted");
});

Deno.test("a child that exits 2 (invalid configuration) is not restarted", async () => {
  const dir = await Deno.makeTempDir();
  const logger = createMemoryLogger();
  const kept = await keepRunning(crashingChild(dir, 5, 2), logger, FAST);
  try {
    await eventually(
      () =>
        logger.lines.some((e) => e.msg === "cs0 exited: invalid configuration; not restarting it"),
      20_000,
      "the refusal to restart",
    );
    assert.equal(kept.restarts(), 0);
    assert.equal(await Deno.readTextFile(`${dir}/runs`), "1");
  } finally {
    await kept.stop(2_000);
    await Deno.remove(dir, { recursive: true });
  }
});
