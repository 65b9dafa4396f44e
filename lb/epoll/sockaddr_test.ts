import assert from "node:assert/strict";
import { AF_INET, AF_INET6 } from "./libc.ts";
import { decodeSockaddr, encodeSockaddr, familyOf } from "./sockaddr.ts";

Deno.test("sockaddr: an IPv4 address is 16 bytes, family in host order and port in network order", () => {
  const bytes = encodeSockaddr({ hostname: "10.0.0.10", port: 7101 })!;
  assert.deepEqual([...bytes.subarray(0, 8)], [2, 0, 0x1b, 0xbd, 10, 0, 0, 10]);
  assert.equal(bytes.length, 16);
  assert.equal(familyOf(bytes), AF_INET);
  assert.deepEqual(decodeSockaddr(bytes), { hostname: "10.0.0.10", port: 7101 });
});

Deno.test("sockaddr: an IPv6 address is 28 bytes and reads back in its shortest form", () => {
  const bytes = encodeSockaddr({ hostname: "2001:db8:0:0:0:0:0:1", port: 443 })!;
  assert.equal(bytes.length, 28);
  assert.equal(familyOf(bytes), AF_INET6);
  assert.deepEqual([...bytes.subarray(8, 12)], [0x20, 0x01, 0x0d, 0xb8]);
  assert.deepEqual(decodeSockaddr(bytes), { hostname: "2001:db8::1", port: 443 });
});

Deno.test("sockaddr: a name has none, and an unknown family is refused", () => {
  assert.equal(encodeSockaddr({ hostname: "cs0.internal", port: 7101 }), undefined);
  assert.throws(() => decodeSockaddr(new Uint8Array(16)), /family 0 is not IPv4 or IPv6/);
});
