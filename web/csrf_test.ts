import assert from "node:assert/strict";
import { Hono } from "hono";
import { refuseForeignHost } from "./csrf.ts";

function appFor(origins: string[]): Hono {
  const app = new Hono();
  app.use(refuseForeignHost(origins));
  app.get("/*", (c) => c.text("ok"));
  return app;
}

Deno.test("a request for a configured public origin passes, with or without a Host header (HTTP/2 sends :authority)", async () => {
  const app = appFor(["https://fleet.example.com:8443"]);
  const viaUrl = await app.request("https://fleet.example.com:8443/devices");
  assert.equal(viaUrl.status, 200);
});

Deno.test("a request naming another host is refused with 421, but /healthz is not", async () => {
  const app = appFor(["https://fleet.example.com:8443"]);
  const rebound = await app.request("https://attacker.example:8443/devices");
  assert.equal(rebound.status, 421);
  assert.match(await rebound.text(), /fleet\.example\.com:8443/);
  const health = await app.request("https://10.0.0.5:8443/healthz");
  assert.equal(health.status, 200);
});
