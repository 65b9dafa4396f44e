import assert from "node:assert/strict";
import { BufferPool } from "./buffer_pool.ts";

Deno.test("buffer pool hands out small and large buffers and reuses what it gets back", () => {
  const pool = new BufferPool({ smallBytes: 16, largeBytes: 64, keepSmall: 1, keepLarge: 1 });
  const small = pool.takeSmall();
  const large = pool.takeLarge();
  assert.deepEqual([small.length, large.length], [16, 64]);
  pool.give(small);
  pool.give(large);
  assert.equal(pool.takeSmall(), small);
  assert.equal(pool.takeLarge(), large);
});

Deno.test("buffer pool keeps no more free buffers than it is told to", () => {
  const pool = new BufferPool({ smallBytes: 16, largeBytes: 64, keepSmall: 1, keepLarge: 1 });
  const [a, b] = [pool.takeSmall(), pool.takeSmall()];
  pool.give(a);
  pool.give(b);
  assert.equal(pool.takeSmall(), a);
  assert.notEqual(pool.takeSmall(), b, "b was dropped, not kept");
});

Deno.test("buffer pool refuses a large size below the small one", () => {
  assert.throws(() => new BufferPool({ smallBytes: 64, largeBytes: 16 }), RangeError);
});
