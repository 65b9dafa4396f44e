import assert from "node:assert/strict";
import { checkReading } from "./reading_check.ts";
import { parseDeviceFrame } from "@fleetmon/shared/protocol";

const NOW = Date.UTC(2026, 0, 1);

Deno.test("readings the server would refuse are refused at send time, with the reason", () => {
  const cases: [Record<string, number>, number, RegExp][] = [
    [{}, NOW, /no metrics/],
    [{ cpu: Number.NaN }, NOW, /cpu is NaN, not a finite number/],
    [{ cpu: Infinity }, NOW, /not a finite number/],
    [{ "bad name": 1 }, NOW, /metric name "bad name"/],
    [{ __proto_x: 1 }, NOW, /not starting with __/],
    [{ $gt: 1 }, NOW, /metric name/],
    [{ cpu: 1 }, 1.5, /ts 1.5/],
    [Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i])), NOW, /65 metrics/],
  ];
  for (const [metrics, ts, pattern] of cases) {
    assert.throws(() => checkReading(metrics, ts), pattern);
  }
  assert.throws(() => checkReading({ cpu: "1" } as unknown as Record<string, number>, NOW), /cpu/);
  // What the database refuses as a field name, the server refuses too (docs/protocol.md).
  assert.throws(() => checkReading({ "x:y.z-w": 1 }, NOW), /metric name "x:y.z-w"/);
});

Deno.test("a reading that passes the check is one the server's parser accepts", () => {
  const metrics = { cpu: 0.5, "disk:root:used_bytes": 1e12, "net-rx_1": 0, x: -3 };
  checkReading(metrics, NOW);
  const frame = JSON.stringify({ type: "reading", seq: 1, ts: NOW, metrics });
  assert.deepEqual(parseDeviceFrame(new TextEncoder().encode(frame), NOW), {
    type: "reading",
    seq: 1,
    ts: NOW,
    metrics,
  });
});
