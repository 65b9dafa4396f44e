/**
 * Cross-site request forgery defences, two layers:
 * - hono/csrf: a form-like POST (urlencoded, multipart, text/plain) must prove it is same-origin
 *   (Sec-Fetch-Site: same-origin or a matching Origin header).
 * - refuseCrossOrigin (here): any unsafe request, whatever its content type, that carries
 *   evidence of another origin (an Origin header that is not ours, or Sec-Fetch-Site:
 *   cross-site/same-site) is refused. Clients that send neither (curl, Deno's fetch) pass, and
 *   are covered by the SameSite=Strict session cookie and CORS preflight for JSON instead.
 */
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;

export function refuseCrossOrigin(): MiddlewareHandler {
  return async function refuseCrossOrigin(c, next) {
    if (!SAFE_METHOD.test(c.req.method)) {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      const foreignOrigin = origin !== undefined && origin !== new URL(c.req.url).origin;
      const foreignSite = site === "cross-site" || site === "same-site";
      if (foreignOrigin || foreignSite) throw new HTTPException(403);
    }
    await next();
  };
}

/** Both layers, in order. */
export function csrfProtection(): MiddlewareHandler[] {
  return [csrf(), refuseCrossOrigin()];
}
