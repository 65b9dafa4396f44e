import assert from "node:assert/strict";
import { formatIPv6, isLoopback, parseIPv4, parseIPv6 } from "./ip.ts";

Deno.test("ip parses dotted quads and refuses anything else", () => {
  assert.deepEqual([...parseIPv4("10.0.255.1")!], [10, 0, 255, 1]);
  for (const bad of ["10.0.0", "10.0.0.256", "10.0.0.01", "a.b.c.d", "1.2.3.4.5", ""]) {
    assert.equal(parseIPv4(bad), undefined, bad);
  }
});

Deno.test("ip parses IPv6 with ::, and a trailing dotted quad", () => {
  assert.deepEqual([...parseIPv6("::1")!], [...new Array(15).fill(0), 1]);
  assert.deepEqual([...parseIPv6("::ffff:1.2.3.4")!].slice(10), [0xff, 0xff, 1, 2, 3, 4]);
  assert.deepEqual(parseIPv6("2001:db8:0:0:0:0:0:1"), parseIPv6("2001:db8::1"));
  for (
    const bad of ["1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "12345::", "g::", "1.2.3.4"]
  ) {
    assert.equal(parseIPv6(bad), undefined, bad);
  }
});

Deno.test("ip formats IPv6 the RFC 5952 way", () => {
  const round = (text: string) => formatIPv6(parseIPv6(text)!);
  assert.equal(round("2001:0DB8:0000:0000:0000:0000:0000:0001"), "2001:db8::1");
  assert.equal(round("::"), "::");
  assert.equal(round("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
  assert.equal(round("1:0:2:3:4:5:6:7"), "1:0:2:3:4:5:6:7");
  assert.equal(round("fe80::"), "fe80::");
});

Deno.test("ip knows loopback addresses", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "localhost"]) {
    assert.ok(isLoopback(host), host);
  }
  for (const host of ["10.0.0.1", "::", "0.0.0.0", "::2", "example.com"]) {
    assert.ok(!isLoopback(host), host);
  }
});
