import assert from "node:assert/strict";
import { notBack, type Sample } from "./_verdict.ts";

const MIB = 2 ** 20;

function sample(fds: number, registrations: number, dataPlaneHeapMiB: number): Sample {
  const heap = { heapUsed: 8 * MIB, external: MIB };
  return {
    process: { fds, registrations, rssMiB: 100 },
    memory: { controlPlane: heap, dataPlane: { ...heap, heapUsed: dataPlaneHeapMiB * MIB } },
  };
}

Deno.test("soak verdict: back when descriptors and registrations are at or below the baseline and each heap within 4 MiB", () => {
  assert.deepEqual(notBack(sample(36, 14, 7.3), sample(36, 14, 11.2)), []);
  assert.deepEqual(notBack(sample(36, 14, 7.3), sample(35, 13, 7.0)), []);
});

Deno.test("soak verdict: names each figure above its baseline, resident memory never", () => {
  const before = sample(36, 14, 7.3);
  const after = { ...sample(37, 15, 11.4), process: { fds: 37, registrations: 15, rssMiB: 900 } };
  assert.deepEqual(notBack(before, after), [
    "descriptors: 36 → 37",
    "epoll registrations: 14 → 15",
    "dataPlane heapUsed: 7.3 → 11.4 MiB",
  ]);
});
