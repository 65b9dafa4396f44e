import assert from "node:assert/strict";
import { packCells, unpackCells } from "./cell_codec.ts";

const cpu = { min: 0.1, max: 0.95, sum: 3.3000000000000003, count: 7, last: 0.5, lastTs: 1e12 };
const mem = { min: -2, max: 1e300, sum: 5e-324, count: 1, last: 4096, lastTs: 1e12 + 59_999 };

Deno.test("rollup cells pack into one string with names sorted and unpack to the same figures", () => {
  const packed = packCells(new Map([["mem", mem], ["cpu", cpu]]));
  assert.equal(typeof packed, "string");
  assert.ok(packed.startsWith('{"cpu":['), packed);
  assert.equal(packed, packCells({ cpu, mem }), "the same cells always pack the same");
  assert.deepEqual(unpackCells(packed), { cpu, mem });
});

Deno.test("cells stored as objects by earlier rollups are read as they are", () => {
  assert.deepEqual(unpackCells({ cpu }), { cpu });
});
