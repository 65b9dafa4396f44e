import assert from "node:assert/strict";
import { Deadlines } from "./deadlines.ts";

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
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(fired, 1);
  // The sanitizers fail this test if the interval timer were still running here.
});
