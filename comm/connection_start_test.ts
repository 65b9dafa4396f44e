import assert from "node:assert/strict";
import { encodeProxyV1, encodeProxyV2 } from "@fleetmon/shared/proxy_protocol";
import { readConnectionStart } from "./connection_start.ts";

const bytes = (text: string) => new TextEncoder().encode(text);
const join = (a: Uint8Array, b: Uint8Array) => new Uint8Array([...a, ...b]);
const device = { hostname: "203.0.113.7", port: 50_123 };
const node = { hostname: "10.0.0.20", port: 7101 };
const hello = bytes('{"type":"hello"}\n');

Deno.test("a node with --proxy-protocol takes v1 and v2 headers and the device's address", () => {
  for (const header of [encodeProxyV1(device, node), encodeProxyV2(device, node)]) {
    const start = readConnectionStart(join(header, hello), true);
    assert.equal(start.status, "ok");
    if (start.status !== "ok") return;
    assert.deepEqual(start.client, device);
    assert.deepEqual(start.rest, hello);
  }
  const local = readConnectionStart(join(encodeProxyV2(), hello), true);
  assert.deepEqual(local, { status: "ok", rest: hello }, "lb's own check: no address");
});

Deno.test("a header split across reads is incomplete until its last byte", () => {
  const header = encodeProxyV2(device, node);
  for (let cut = 1; cut < header.length; cut++) {
    assert.equal(readConnectionStart(header.subarray(0, cut), true).status, "incomplete", `${cut}`);
    assert.equal(readConnectionStart(header.subarray(0, cut), false).status, "incomplete");
  }
});

Deno.test("the setting and the bytes disagreeing is a mismatch, named by which way", () => {
  assert.deepEqual(readConnectionStart(hello, true), { status: "mismatch", outcome: "missing" });
  for (const header of [encodeProxyV1(device, node), encodeProxyV2(device, node)]) {
    assert.deepEqual(readConnectionStart(join(header, hello), false), {
      status: "mismatch",
      outcome: "unexpected",
    });
  }
});

Deno.test("without --proxy-protocol device bytes pass whole, blank lines first included", () => {
  for (const first of [hello, bytes('\r\n\r\n{"type":"hello"}\n'), bytes("P\n")]) {
    assert.deepEqual(readConnectionStart(first, false), { status: "ok", rest: first });
  }
});

Deno.test("a broken header where one is required is a bad header, not a mismatch", () => {
  const start = readConnectionStart(bytes("PROXY NONSENSE here\r\n"), true);
  assert.equal(start.status, "bad_header");
});
