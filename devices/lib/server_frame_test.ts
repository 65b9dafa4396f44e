import assert from "node:assert/strict";
import { parseServerFrame } from "./server_frame.ts";
import { ProtocolError } from "@fleetmon/shared/errors";

Deno.test("server frames of every known type parse", () => {
  assert.deepEqual(parseServerFrame('{"type":"ack","from":3,"seq":5}'), {
    type: "ack",
    from: 3,
    seq: 5,
  });
  assert.deepEqual(parseServerFrame('{"type":"ack","seq":5}'), { type: "ack", seq: 5 });
  assert.deepEqual(
    parseServerFrame('{"type":"nack","seq":6,"code":"server_busy","reason":"r","retryAfterMs":9}'),
    { type: "nack", seq: 6, code: "server_busy", reason: "r", retryAfterMs: 9 },
  );
  assert.equal(
    parseServerFrame(new TextEncoder().encode('{"type":"welcome","v":1,"node":"cs1"}'))?.type,
    "welcome",
  );
  assert.deepEqual(parseServerFrame('{"type":"reconnect","reason":"x","retryAfterMs":0}'), {
    type: "reconnect",
    reason: "x",
    retryAfterMs: 0,
  });
  assert.deepEqual(parseServerFrame('{"type":"pong","id":1}'), { type: "pong", id: 1 });
});

Deno.test("a server frame of an unknown type is ignored", () => {
  assert.equal(parseServerFrame('{"type":"notice","text":"hi"}'), undefined);
});

Deno.test("malformed server frames are protocol errors that say what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["nope", /invalid JSON/],
    ["[1]", /expected a JSON object/],
    ['{"type":"ack","seq":0}', /ack has a bad seq/],
    ['{"type":"ack","seq":4,"from":"1"}', /ack has a bad from/],
    ['{"type":"nack","seq":4}', /nack has a bad code/],
    ['{"type":"nack","code":"x","retryAfterMs":-1}', /nack has a bad retryAfterMs/],
    ['{"type":"reconnect"}', /reconnect has a bad retryAfterMs/],
    ['{"type":"welcome"}', /welcome has a bad node/],
  ];
  for (const [line, pattern] of cases) {
    assert.throws(
      () => parseServerFrame(line),
      (error: Error) => error instanceof ProtocolError && pattern.test(error.message),
      line,
    );
  }
});
