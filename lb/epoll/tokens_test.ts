import assert from "node:assert/strict";
import { TokenAllocator } from "./tokens.ts";

Deno.test("tokens count up from 1 and wrap back to 1 after the highest", () => {
  const tokens = new TokenAllocator(3);
  const live = new Set<number>();
  assert.deepEqual([1, 2, 3, 4].map(() => tokens.next(live)), [1, 2, 3, 1]);
});

Deno.test("after wrapping, tokens skip those still live, the listener's token 1 first of all", () => {
  const tokens = new TokenAllocator(4);
  const live = new Set<number>();
  for (let i = 0; i < 4; i++) live.add(tokens.next(live)); // 1 is the listener
  live.delete(2);
  live.delete(4);
  assert.equal(tokens.next(live), 2);
  live.add(2);
  assert.equal(tokens.next(live), 4);
});

Deno.test("a token is refused, not reused, when every one is live", () => {
  const tokens = new TokenAllocator(2);
  const live = new Set([1, 2]);
  assert.throws(() => tokens.next(live), /all 2 tokens are in use/);
  assert.throws(() => new TokenAllocator(0), RangeError);
});
