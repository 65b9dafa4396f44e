import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";
import { waitFor } from "./_test_helpers.ts";

Deno.test("a deadline fires once its time is up", async () => {
  const deadlines = new Deadlines(5);
  try {
    const started = performance.now();
    const fired = Promise.withResolvers<number>();
    deadlines.start(30, () => fired.resolve(performance.now()));
    assert.ok(await fired.promise - started >= 30);
  } finally {
    deadlines.stop();
  }
});

Deno.test("a released deadline never fires, and the timer stops when nothing is pending", async () => {
  const deadlines = new Deadlines(5);
  let fired = 0;
  const deadline = deadlines.start(10, () => fired++);
  deadlines.start(5, () => fired++);
  deadlines.release(deadline);
  // Waits for conditions, not a fixed time: a busy machine may run the ticks late.
  await waitFor(() => fired === 1 && !deadlines.ticking, "the timer stopped after one fired");
  await new Promise((resolve) => setTimeout(resolve, 20)); // past the released one's time
  assert.equal(fired, 1);
  assert.equal(deadlines.ticking, false);
});
