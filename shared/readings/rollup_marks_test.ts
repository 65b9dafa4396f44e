import assert from "node:assert/strict";
import { MINUTE_MS, RollupMarks } from "./rollups.ts";

const T = Date.UTC(2026, 11, 2, 16, 0); // a minute's start
const take = (marks: RollupMarks, now: number, all = false) =>
  marks.take(now, 2_000, 60_000, all).map((m) => `${m.device}@${(m.minute - T) / MINUTE_MS}`);

Deno.test("a device reporting every 5 s has its minute recomputed once, after the minute is over", () => {
  const marks = new RollupMarks();
  const due: string[] = [];
  for (let at = T; at < T + 2 * MINUTE_MS; at += 5_000) {
    marks.mark("d1", at, at);
    due.push(...take(marks, at + 2_500)); // quiet for 2.5 s before the next reading
  }
  due.push(...take(marks, T + 2 * MINUTE_MS + 2_000));
  assert.deepEqual(due, ["d1@0", "d1@1"]);
  assert.equal(marks.size, 0);
});

Deno.test("a late reading for a minute long over is recomputed once it is quiet", () => {
  const marks = new RollupMarks();
  const now = T + 10 * MINUTE_MS;
  marks.mark("d1", T + 30_000, now);
  assert.deepEqual(take(marks, now + 1_000), []);
  assert.deepEqual(take(marks, now + 2_000), ["d1@0"]);
});

Deno.test("a minute is recomputed after maxWaitMs at the latest, and every mark with all", () => {
  const marks = new RollupMarks();
  marks.mark("d1", T, T);
  marks.mark("d2", T + 59_000, T + 59_000);
  assert.deepEqual(take(marks, T + 59_500), []);
  assert.deepEqual(take(marks, T + 60_000), ["d1@0"], "waited 60 s");
  assert.deepEqual(take(marks, T + 60_500, true), ["d2@0"]);
});
