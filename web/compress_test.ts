import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { compressJson, GROWING_ANSWERS } from "./compress.ts";

function app() {
  const a = new Hono();
  a.use(compressJson(/^\/(big|small|page)$/));
  a.get(
    "/elsewhere",
    (c) => c.json({ rows: Array.from({ length: 200 }, (_, i) => ({ id: `d-${i}` })) }),
  );
  a.get("/big", (c) => c.json({ rows: Array.from({ length: 200 }, (_, i) => ({ id: `d-${i}` })) }));
  a.get("/small", (c) => c.json({ ok: true }));
  a.get("/page", (c) => c.html(`<p>${"x".repeat(5000)}</p>`));
  return a;
}

Deno.test("JSON answers over 1 KB are brotli-compressed in one piece when the client accepts br", async () => {
  const response = await app().request("/big", { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(response.headers.get("content-encoding"), "br");
  const bytes = new Uint8Array(await response.arrayBuffer());
  assert.equal(JSON.parse(new TextDecoder().decode(brotliDecompressSync(bytes))).rows.length, 200);
});

Deno.test("JSON answers over 1 KB are gzipped in one piece for clients that accept only gzip", async () => {
  const response = await app().request("/big", { headers: { "accept-encoding": "gzip" } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-encoding"), "gzip");
  assert.match(response.headers.get("vary") ?? "", /accept-encoding/);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const json = JSON.parse(new TextDecoder().decode(gunzipSync(bytes)));
  assert.equal(json.rows.length, 200);
  assert.ok(bytes.byteLength < 1024, `${bytes.byteLength} bytes`);
});

Deno.test("small JSON, other types and clients without gzip get the answer as it was", async () => {
  const plain = await app().request("/big");
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal((await plain.json()).rows.length, 200);
  const small = await app().request("/small", { headers: { "accept-encoding": "gzip" } });
  assert.equal(small.headers.get("content-encoding"), null);
  assert.deepEqual(await small.json(), { ok: true });
  const elsewhere = await app().request("/elsewhere", { headers: { "accept-encoding": "gzip" } });
  assert.equal(elsewhere.headers.get("content-encoding"), null, "not a growing answer");
  await elsewhere.body?.cancel();
  const page = await app().request("/page", { headers: { "accept-encoding": "gzip" } });
  assert.equal(page.headers.get("content-encoding"), null);
  assert.equal((await page.text()).length, 5007);
});

Deno.test("the growing answers are the API's lists, series and the cluster, not /api/me", () => {
  for (
    const path of ["/api/devices", "/api/devices/p-1/series", "/api/alerts/history", "/api/audit"]
  ) {
    assert.ok(GROWING_ANSWERS.test(path), path);
  }
  for (const path of ["/api/me", "/api/overview", "/api/devicesx"]) {
    assert.ok(!GROWING_ANSWERS.test(path), path);
  }
});
