import assert from "node:assert/strict";
import { AuthCache } from "./auth_cache.ts";

function cache(options: { maxEntries?: number } = {}) {
  let now = 1_000_000;
  const c = new AuthCache<string>({ now: () => now, freshMs: 1_000, maxAgeMs: 10_000, ...options });
  return { c, tick: (ms: number) => (now += ms), at: () => now };
}

Deno.test("the cache is trusted only within a second of the last revocation check", () => {
  const { c, tick, at } = cache();
  c.put("a", "alice", at() + 60_000, c.ticket());
  assert.equal(c.get("a"), undefined, "never checked: not trusted");
  c.observe(0, at());
  c.put("a", "alice", at() + 60_000, c.ticket());
  assert.equal(c.get("a"), "alice");
  tick(1_001);
  assert.equal(c.get("a"), undefined, "no check for over a second: not trusted");
  c.observe(0, at() - 10);
  assert.equal(c.get("a"), "alice", "the same count: the entry stays");
});

Deno.test("a new revocation count drops every entry, and a read begun before it is not stored", () => {
  const { c, at } = cache();
  c.observe(4, at());
  c.put("a", "alice", at() + 60_000, c.ticket());
  const ticket = c.ticket(); // a database read starts
  c.observe(5, at()); // meanwhile another node revoked something
  assert.equal(c.get("a"), undefined);
  c.put("b", "bob", at() + 60_000, ticket);
  assert.equal(c.get("b"), undefined, "read across the drop: not stored");
  assert.equal(c.size, 0);
  c.put("b", "bob", at() + 60_000, c.ticket());
  c.clear(); // a change served on this node
  assert.equal(c.get("b"), undefined);
});

Deno.test("an entry lives at most maxAgeMs and never past its expiry; the oldest goes when full", () => {
  const { c, tick, at } = cache({ maxEntries: 2 });
  const check = () => c.observe(0, at());
  check();
  c.put("short", "s", at() + 500, c.ticket());
  c.put("long", "l", at() + 60_000, c.ticket());
  tick(600);
  check();
  assert.equal(c.get("short"), undefined, "expired");
  assert.equal(c.get("long"), "l");
  tick(9_500);
  check();
  assert.equal(c.get("long"), undefined, "older than maxAgeMs");
  c.put("x", "1", at() + 60_000, c.ticket());
  c.put("y", "2", at() + 60_000, c.ticket());
  c.put("z", "3", at() + 60_000, c.ticket());
  assert.deepEqual([c.get("x"), c.get("y"), c.get("z")], [undefined, "2", "3"]);
  assert.throws(() => new AuthCache({ now: Date.now, freshMs: 0 }), RangeError);
});
