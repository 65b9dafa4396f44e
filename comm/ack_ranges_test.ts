import assert from "node:assert/strict";
import { ackFrame, ackRanges } from "./ack_ranges.ts";

Deno.test("stored seqs become exact ranges that never span a gap", () => {
  assert.deepEqual(ackRanges([1, 2, 3, 5, 6, 9]), [
    { from: 1, seq: 3 },
    { from: 5, seq: 6 },
    { from: 9, seq: 9 },
  ]);
  assert.deepEqual(ackRanges([7, 3, 4]), [{ from: 7, seq: 7 }, { from: 3, seq: 4 }]);
  assert.deepEqual(ackRanges([]), []);
});

Deno.test("a single-seq range is acked without from", () => {
  assert.deepEqual(ackFrame({ from: 4, seq: 4 }), { type: "ack", seq: 4 });
  assert.deepEqual(ackFrame({ from: 1, seq: 4 }), { type: "ack", from: 1, seq: 4 });
});
