import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { eventually } from "@fleetmon/shared/testing";
import { wakeable } from "./wakeable.ts";

const logger = createMemoryLogger("test");

Deno.test("a wakeable task runs at once, then again when woken long before its interval", async () => {
  let runs = 0;
  const w = wakeable(() => Promise.resolve(void runs++), {
    intervalMs: 60_000,
    minGapMs: 0,
    logger,
    name: "t",
  });
  try {
    await eventually(() => runs === 1, 2_000, "the first run");
    w.wake();
    await eventually(() => runs === 2, 2_000, "the woken run");
  } finally {
    await w.stop();
  }
});

Deno.test("wakes during a run are coalesced into one more run, never two at once", async () => {
  let running = 0;
  let most = 0;
  let runs = 0;
  let release: () => void = () => {};
  const w = wakeable(async () => {
    running++;
    most = Math.max(most, running);
    runs++;
    if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    running--;
  }, { intervalMs: 60_000, minGapMs: 0, logger, name: "t" });
  try {
    await eventually(() => runs === 1, 2_000, "the first run");
    for (let i = 0; i < 5; i++) w.wake();
    release();
    await eventually(() => runs === 2, 2_000, "one more run");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(runs, 2);
    assert.equal(most, 1);
  } finally {
    await w.stop();
  }
});
