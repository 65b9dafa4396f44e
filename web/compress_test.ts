import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { compressJson } from "./compress.ts";

function app() {
  const a = new Hono();
  a.use(compressJson());
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
  const page = await app().request("/page", { headers: { "accept-encoding": "gzip" } });
  assert.equal(page.headers.get("content-encoding"), null);
  assert.equal((await page.text()).length, 5007);
});
