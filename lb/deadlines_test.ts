import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";

Deno.test("deadlines abort a signal once its time is up, with the reason given", async () => {
  const deadlines = new Deadlines(5);
  try {
    const started = performance.now();
    const controller = deadlines.start(30, () => new Error("too slow"));
    await new Promise((resolve) => controller.signal.addEventListener("abort", resolve));
    assert.ok(performance.now() - started >= 30);
    assert.equal(controller.signal.reason.message, "too slow");
  } finally {
    deadlines.stop();
  }
});

Deno.test("deadlines never abort a released signal, and stop ticking when nothing is pending", async () => {
  const deadlines = new Deadlines(5);
  const controller = deadlines.start(10, () => new Error("too slow"));
  deadlines.release(controller);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(controller.signal.aborted, false);
  // The sanitizers fail this test if the interval timer were still running here.
});
