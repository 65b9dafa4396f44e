import assert from "node:assert/strict";
import { cpuSeconds, parseCpuSeconds } from "./cpu.ts";

Deno.test("a /proc stat line gives utime + stime in seconds, whatever the command's name", () => {
  const stat = "4242 (deno (main) x) S 1 4242 4242 0 -1 4194560 5000 0 0 0 250 75 0 0 20 0 9 0";
  assert.equal(parseCpuSeconds(stat), 3.25);
});

Deno.test("this process has used some CPU, and a process that is gone has none to tell", async () => {
  assert.ok((await cpuSeconds(Deno.pid)) > 0);
  assert.ok(Number.isNaN(await cpuSeconds(2 ** 22 + 1)));
});
