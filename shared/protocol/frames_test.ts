import assert from "node:assert/strict";
import { parseDeviceFrame, ReadingError } from "./frames.ts";
import { ProtocolError } from "../errors.ts";

const NOW = Date.UTC(2026, 10, 24);
const line = (text: string) => new TextEncoder().encode(text);
const parse = (text: string) => parseDeviceFrame(line(text), NOW);
const reading = (fields: Record<string, unknown>) =>
  JSON.stringify({ type: "reading", seq: 1, ts: NOW, metrics: { cpu: 0.5 }, ...fields });

function assertRefused(text: string, code: string, fatal: boolean, pattern?: RegExp) {
  assert.throws(() => parse(text), (error: Error) => {
    assert.ok(error instanceof ProtocolError, `${error}`);
    assert.equal(error.code, code, error.message);
    assert.equal(!(error instanceof ReadingError), fatal, "fatal");
    if (pattern) assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("a valid hello, reading and ping parse", () => {
  assert.deepEqual(parse('{"type":"hello","v":1,"device":"d-1","token":"t"}'), {
    type: "hello",
    v: 1,
    device: "d-1",
    token: "t",
  });
  assert.deepEqual(parse(reading({ extra: "ignored" })), {
    type: "reading",
    seq: 1,
    ts: NOW,
    metrics: { cpu: 0.5 },
  });
  assert.deepEqual(parse('{"type":"ping","id":3}'), { type: "ping", id: 3 });
});

Deno.test("lines that are not a JSON object of a known type are fatal invalid_frame", () => {
  assertRefused("not json", "invalid_frame", true, /invalid JSON/);
  assertRefused("[1,2]", "invalid_frame", true, /expected a JSON object/);
  assertRefused("null", "invalid_frame", true);
  assertRefused('{"type":"shutdown"}', "invalid_frame", true, /unknown type "shutdown"/);
  assertRefused(
    '{"type":"hello","v":"1","device":"d","token":"t"}',
    "invalid_frame",
    true,
    /^.*v:/,
  );
  assertRefused('{"type":"hello","v":1,"device":"$where","token":"t"}', "invalid_frame", true);
  assert.throws(
    () => parseDeviceFrame(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), NOW),
    (error: Error) => error instanceof ProtocolError && /invalid UTF-8/.test(error.message),
  );
});

Deno.test("bad readings are refused one by one with their seq", () => {
  const cases: [Record<string, unknown>, string, RegExp][] = [
    [{ seq: 2.5 }, "invalid_reading", /seq/],
    [{ seq: 2 ** 53 }, "invalid_reading", /seq/],
    [{ seq: 0 }, "invalid_reading", /seq/],
    [{ ts: "yesterday" }, "invalid_reading", /ts/],
    [{ ts: NOW - 31 * 86400_000 }, "invalid_reading", /outside 30 days/],
    [{ ts: NOW + 10 * 60_000 }, "invalid_reading", /5 minutes after/],
    [{ metrics: { cpu: "high" } }, "invalid_reading", /metrics.cpu/],
    [{ metrics: { $gt: 1 } }, "invalid_reading", /metric names/],
    [{ metrics: { "a.b": 1 } }, "invalid_reading", /metric names/],
    [{ metrics: { "x:y.z-w": 1 } }, "invalid_reading", /no \. or \$/],
    [{ metrics: { cpu: 1, "__proto__x": 1 } }, "invalid_reading", /metric names/],
    [{ metrics: { "a\u0000b": 1 } }, "invalid_reading", /metric names/],
    [{ metrics: {} }, "invalid_reading", /at least one/],
    [{ metrics: [1, 2] }, "invalid_reading", /metrics/],
  ];
  for (const [fields, code, pattern] of cases) {
    assertRefused(reading(fields), code, false, pattern);
  }
  assertRefused(reading({}).replace('"cpu":0.5', '"cpu":1e999'), "invalid_reading", false);
  assertRefused(
    '{"type":"reading","seq":9,"ts":1,"metrics":{"__proto__":1}}',
    "invalid_reading",
    false,
  );
  try {
    parse(reading({ seq: 7, metrics: { x: null } }));
  } catch (error) {
    assert.equal((error as ReadingError).seq, 7);
  }
});

Deno.test("a reading with more metrics than allowed is too_large, not fatal", () => {
  const metrics = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`m${i}`, i]));
  assertRefused(reading({ seq: 3, metrics }), "too_large", false, /65 entries exceed 64/);
});

Deno.test("the fast path and the zod schema agree on every reading", () => {
  const values = [
    1,
    0,
    -1,
    2.5,
    2 ** 53,
    2 ** 53 - 1,
    1e308,
    "1",
    null,
    true,
    [],
    {},
    [1],
    { a: 1 },
  ];
  const names = ["cpu", "a.b", "$x", "__proto__", "__x", "x".repeat(65), "", "é", "m:1-2_3"];
  const outcome = (text: string) => {
    try {
      return JSON.stringify(parse(text));
    } catch (error) {
      return `${(error as Error).name}:${(error as Error).message}`;
    }
  };
  let checked = 0;
  for (const seq of values) {
    for (const metricValue of values) {
      for (const name of names) {
        const text = `{"type":"reading","seq":${JSON.stringify(seq)},"ts":${NOW},` +
          `"metrics":{${JSON.stringify(name)}:${JSON.stringify(metricValue)}}}`;
        const result = outcome(text);
        const valid = Number.isSafeInteger(seq) && (seq as number) >= 1 &&
          typeof metricValue === "number" && Number.isFinite(metricValue) &&
          /^(?!__)[A-Za-z0-9_:-]{1,64}$/.test(name);
        assert.equal(!result.includes("Error:"), valid, text + " → " + result);
        checked++;
      }
    }
  }
  assert.equal(checked, values.length * values.length * names.length);
});
