import assert from "node:assert/strict";
import {
  encodeProxyHeader,
  encodeProxyV1,
  encodeProxyV2,
  PROXY_V2_SIGNATURE,
  readProxyHeader,
} from "./proxy_protocol.ts";
import { ProtocolError } from "./errors.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytesOf = (value: string) => new TextEncoder().encode(value);
const client4 = { hostname: "192.168.0.1", port: 56324 };
const lb4 = { hostname: "192.168.0.11", port: 443 };
const client6 = { hostname: "2001:db8::1", port: 40000 };
const lb6 = { hostname: "::1", port: 7000 };

function complete(bytes: Uint8Array) {
  const result = readProxyHeader(bytes);
  assert.equal(result.status, "complete", JSON.stringify(result));
  return result as Extract<typeof result, { status: "complete" }>;
}

Deno.test("proxy v1 encodes TCP4 as the spec's example line", () => {
  assert.equal(
    text(encodeProxyV1(client4, lb4)),
    "PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
  );
});

Deno.test("proxy v1 encodes TCP6, and an IPv4 client on an IPv6 socket as TCP6 mapped", () => {
  assert.equal(text(encodeProxyV1(client6, lb6)), "PROXY TCP6 2001:db8::1 ::1 40000 7000\r\n");
  assert.equal(
    text(encodeProxyV1({ hostname: "10.0.0.1", port: 1 }, lb6)),
    "PROXY TCP6 ::ffff:a00:1 ::1 1 7000\r\n",
  );
});

Deno.test("proxy v1 encodes an IPv4-mapped client to an IPv4 address as TCP4", () => {
  assert.equal(
    text(encodeProxyV1({ hostname: "::ffff:10.0.0.1", port: 5 }, lb4)),
    "PROXY TCP4 10.0.0.1 192.168.0.11 5 443\r\n",
  );
});

Deno.test("proxy v1 encodes UNKNOWN when there are no IP addresses", () => {
  assert.equal(text(encodeProxyV1()), "PROXY UNKNOWN\r\n");
  assert.equal(text(encodeProxyV1({ hostname: "some.host", port: 1 }, lb4)), "PROXY UNKNOWN\r\n");
});

Deno.test("proxy v1 headers decode back to the same addresses, with the data after them", () => {
  for (const [source, dest, family] of [[client4, lb4, "tcp4"], [client6, lb6, "tcp6"]] as const) {
    const header = encodeProxyV1(source, dest);
    const withData = new Uint8Array([...header, ...bytesOf("hello")]);
    const result = complete(withData);
    assert.deepEqual(
      [result.version, result.command, result.family, result.source, result.dest],
      [1, "proxy", family, source, dest],
    );
    assert.equal(result.headerLength, header.length);
    assert.equal(text(withData.subarray(result.headerLength)), "hello");
  }
});

Deno.test("proxy v1 UNKNOWN decodes with no addresses, whatever follows the word", () => {
  const result = complete(bytesOf("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\nrest"));
  assert.equal(result.family, "unknown");
  assert.equal(result.source, undefined);
  assert.equal(result.headerLength, "PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n".length);
});

Deno.test("proxy v1 asks for more bytes until the CRLF arrives", () => {
  const header = encodeProxyV1(client4, lb4);
  for (let length = 0; length < header.length; length++) {
    assert.equal(readProxyHeader(header.subarray(0, length)).status, "incomplete", `at ${length}`);
  }
  assert.equal(readProxyHeader(header).status, "complete");
});

Deno.test("proxy v1 rejects bad lines, bad addresses and headers over 107 bytes", () => {
  const cases = [
    "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
    "PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n",
    "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
    "PROXY TCP6 1.2.3.4 ::1 1 2\r\n",
    "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
    "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n",
    "PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n",
    "PROXZ TCP4\r\n",
    `PROXY TCP6 ${"a".repeat(120)}`,
    "GET / HTTP/1.1\r\n",
  ];
  for (const line of cases) {
    const result = readProxyHeader(bytesOf(line));
    assert.equal(result.status, "invalid", line);
    if (result.status === "invalid") {
      assert.ok(result.error instanceof ProtocolError);
      assert.equal(result.error.code, "proxy_header_invalid");
      assert.match(result.error.message, /^Cannot read PROXY header: /);
    }
  }
});

Deno.test("proxy v2 starts with the binary signature and encodes TCP4 in 28 bytes", () => {
  const header = encodeProxyV2(client4, lb4);
  assert.deepEqual(header.subarray(0, 12), PROXY_V2_SIGNATURE);
  assert.deepEqual(
    [...header.subarray(12)],
    [0x21, 0x11, 0, 12, 192, 168, 0, 1, 192, 168, 0, 11, 0xdc, 0x04, 0x01, 0xbb],
  );
});

Deno.test("proxy v2 encodes TCP6 in 52 bytes and LOCAL with no addresses in 16", () => {
  const header = encodeProxyV2(client6, lb6);
  assert.equal(header.length, 52);
  assert.deepEqual([header[12], header[13], header[14], header[15]], [0x21, 0x21, 0, 36]);
  assert.deepEqual([...header.subarray(16, 20)], [0x20, 0x01, 0x0d, 0xb8]);
  const local = encodeProxyV2();
  assert.equal(local.length, 16);
  assert.deepEqual([local[12], local[13], local[14], local[15]], [0x20, 0x00, 0, 0]);
});

Deno.test("proxy v2 headers decode back to the same addresses", () => {
  for (const [source, dest, family] of [[client4, lb4, "tcp4"], [client6, lb6, "tcp6"]] as const) {
    const header = encodeProxyHeader("v2", source, dest);
    const result = complete(new Uint8Array([...header, 1, 2, 3]));
    assert.deepEqual(
      [result.version, result.command, result.family, result.source, result.dest],
      [2, "proxy", family, source, dest],
    );
    assert.equal(result.headerLength, header.length);
  }
});

Deno.test("proxy v2 LOCAL decodes as the proxy's own connection, without addresses", () => {
  const result = complete(encodeProxyV2());
  assert.deepEqual([result.command, result.family, result.source], ["local", "unknown", undefined]);
});

Deno.test("proxy v2 skips TLVs after the addresses and reads a header at an offset", () => {
  const header = encodeProxyV2(client4, lb4);
  const withTlv = new Uint8Array([...header, 0x04, 0x00, 0x01, 0x00]);
  withTlv[15] = 12 + 4;
  const backing = new Uint8Array([9, 9, ...withTlv, 42]);
  const result = complete(backing.subarray(2));
  assert.equal(result.headerLength, 32);
  assert.deepEqual(result.source, client4);
  assert.equal(backing.subarray(2)[result.headerLength], 42);
});

Deno.test("proxy v2 asks for more bytes until the whole header arrives", () => {
  const header = encodeProxyV2(client6, lb6);
  for (let length = 0; length < header.length; length++) {
    assert.equal(readProxyHeader(header.subarray(0, length)).status, "incomplete", `at ${length}`);
  }
});

Deno.test("proxy v2 rejects a wrong signature, version, command or a short address block", () => {
  const good = encodeProxyV2(client4, lb4);
  const broken = (index: number, value: number) => {
    const copy = good.slice();
    copy[index] = value;
    return copy;
  };
  for (const bytes of [broken(5, 0x01), broken(12, 0x11), broken(12, 0x22), broken(15, 8)]) {
    const result = readProxyHeader(bytes);
    assert.equal(result.status, "invalid", JSON.stringify([...bytes.subarray(0, 16)]));
  }
});
