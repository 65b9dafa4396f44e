import assert from "node:assert/strict";
import { seededRandom } from "./prng.ts";
import { createProfile, initialState, nextMetrics } from "./shapes.ts";

function series(seed: number, readings: number, stepMs: number, cycleMs = 600_000) {
  const random = seededRandom(seed);
  const profile = createProfile(random);
  const state = initialState(random, 0);
  return Array.from(
    { length: readings },
    (_, i) => nextMetrics(profile, state, (i + 1) * stepMs, random, cycleMs),
  );
}

Deno.test("the same seed gives the same readings; another seed does not", () => {
  assert.deepEqual(series(7, 50, 1_000), series(7, 50, 1_000));
  assert.notDeepEqual(series(7, 50, 1_000), series(8, 50, 1_000));
});

Deno.test("simulated metrics stay in their physical ranges and counters only grow", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const readings = series(seed, 300, 1_000);
    for (const [i, m] of readings.entries()) {
      assert.ok(m.cpu >= 0 && m.cpu <= 1, `cpu ${m.cpu}`);
      assert.ok(m.mem_used_ratio >= 0.1 && m.mem_used_ratio <= 0.97);
      assert.ok(m.disk_used_ratio > 0 && m.disk_used_ratio < 1);
      assert.ok(m.load1 >= 0 && m.temp_c > 20 && m.temp_c < 90, `temp ${m.temp_c}`);
      assert.ok(Object.values(m).every(Number.isFinite));
      if (i > 0) {
        assert.ok(m.net_rx_bytes >= readings[i - 1].net_rx_bytes);
        assert.ok(m.net_tx_bytes >= readings[i - 1].net_tx_bytes);
      }
    }
  }
});

Deno.test("cpu follows the daily cycle and is not flat noise", () => {
  // One whole cycle of 600 readings; compare the busiest and quietest quarters.
  const cpu = series(3, 600, 1_000).map((m) => m.cpu);
  const quarters = [0, 1, 2, 3].map((q) => cpu.slice(q * 150, (q + 1) * 150))
    .map((part) => part.reduce((a, b) => a + b, 0) / part.length);
  assert.ok(Math.max(...quarters) - Math.min(...quarters) > 0.05, `quarters ${quarters}`);
  const distinct = new Set(cpu).size;
  assert.ok(distinct > 100, `only ${distinct} distinct cpu values`);
});

Deno.test("load trails cpu times cores", () => {
  const random = seededRandom(11);
  const profile = { ...createProfile(random), cores: 4, cpuBase: 0.5, cpuSwing: 0 };
  const state = initialState(random, 0);
  let last = {} as Record<string, number>;
  for (let i = 1; i <= 600; i++) last = nextMetrics(profile, state, i * 1_000, random);
  assert.ok(last.load1 > 1 && last.load1 < 3.5, `load1 ${last.load1}`);
});
