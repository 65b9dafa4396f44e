import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { every } from "./periodic.ts";

Deno.test("every runs the task at once and again after each interval until stopped", async () => {
  const logger = createMemoryLogger();
  let runs = 0;
  const task = every(5, () => {
    runs++;
    return Promise.resolve();
  }, { logger, name: "count" });
  const deadline = Date.now() + 2_000;
  while (runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await task.stop();
  const after = runs;
  assert.ok(after >= 3);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(runs, after, "no run after stop");
});

Deno.test("a failing task is logged and retried on the next interval", async () => {
  const logger = createMemoryLogger();
  let runs = 0;
  const task = every(5, () => {
    runs++;
    return Promise.reject(new Error("Cannot reach the database"));
  }, { logger, name: "heartbeat" });
  const deadline = Date.now() + 2_000;
  while (runs < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  await task.stop();
  assert.ok(runs >= 2);
  assert.equal(logger.lines[0].msg, "heartbeat failed");
  assert.equal(logger.lines[0].level, "warn");
});

Deno.test("stop waits for a running task to finish", async () => {
  let finished = false;
  const task = every(1_000, async () => {
    await new Promise((r) => setTimeout(r, 30));
    finished = true;
  }, { logger: createMemoryLogger(), name: "slow" });
  await task.stop();
  assert.equal(finished, true);
});
