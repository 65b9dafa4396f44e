/**
 * Compresses JSON answers over 1 KB for clients that accept it, in one piece: brotli (quality 4)
 * when accepted, else gzip (node:zlib, ~0.5 ms for a 15 KB page of the device list, to ~750 and
 * ~940 bytes). Besides the bytes it saves, it keeps answers such as a page of the device
 * list under the size at which Deno.serve over TLS writes the body apart from the head: Deno.serve
 * leaves Nagle's algorithm on, so that second write waited for the peer's delayed ACK (40 ms on
 * Linux; docs/web.md "Benchmark"). Streams (live updates) and other types are left alone.
 */
import type { MiddlewareHandler } from "hono";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

export const COMPRESS_MIN_BYTES = 1024;

/**
 * Answers whose size grows with the fleet or the history (lists, series, the cluster). Others
 * (`/api/me`, the overview) are small by construction and skip the cost of reading their body
 * back (~30 % of a small answer's time in the app, measured in process).
 */
export const GROWING_ANSWERS = /^\/api\/(devices|alerts|audit|users|tokens|cluster|nodes)(\/|$)/;

export function compressJson(paths: RegExp = GROWING_ANSWERS): MiddlewareHandler {
  return async function compressJson(c, next) {
    if (!paths.test(c.req.path)) return await next();
    await next();
    const res = c.res;
    const accepted = c.req.header("accept-encoding") ?? "";
    const encoding = /\bbr\b/.test(accepted) ? "br" : /\bgzip\b/.test(accepted) ? "gzip" : null;
    if (!encoding) return;
    if (!res.body || res.headers.has("content-encoding")) return;
    if (!(res.headers.get("content-type") ?? "").startsWith("application/json")) return;
    const body = new Uint8Array(await res.arrayBuffer());
    if (body.byteLength < COMPRESS_MIN_BYTES) {
      // API answers are no-store, so no cache needs `vary` on the ones left as they are.
      c.res = new Response(body, { status: res.status, headers: res.headers });
      return;
    }
    const headers = new Headers(res.headers);
    headers.append("vary", "accept-encoding");
    headers.set("content-encoding", encoding);
    headers.delete("content-length");
    const packed = encoding === "br"
      ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } })
      : gzipSync(body);
    c.res = new Response(new Uint8Array(packed), { status: res.status, headers });
  };
}
