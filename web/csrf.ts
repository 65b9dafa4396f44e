/**
 * Cross-site request forgery and DNS-rebinding defences:
 * - hono/csrf: a form-like POST (urlencoded, multipart, text/plain) must prove it is same-origin
 *   (Sec-Fetch-Site: same-origin or an Origin header of ours).
 * - refuseCrossOrigin: any unsafe request, whatever its content type, that carries evidence of
 *   another origin (an Origin header that is not ours, or Sec-Fetch-Site: cross-site/same-site)
 *   is refused. Clients that send neither (curl, Deno's fetch) pass, and are covered by the
 *   SameSite=Strict session cookie and CORS preflight for JSON instead.
 * - refuseForeignHost: with public origins configured, a request whose Host header names none of
 *   them is refused with 421 (a rebound DNS name pointing at us), except /healthz and /metrics,
 *   which the balancers and Prometheus call by address.
 * "Ours" is the configured public origins (`--public-origin`), never the request's own Host
 * header, which a rebinding attacker controls. Without configured origins (tests, a bare local
 * node) the request's own origin is used.
 */
import type { MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/;
/** What hono/csrf lets through unchecked (it checks OPTIONS). */
const READ_METHOD = /^(GET|HEAD)$/;
const UNCHECKED_HOST_PATHS = new Set(["/healthz", "/metrics"]);

export function refuseCrossOrigin(publicOrigins: string[] = []): MiddlewareHandler {
  return async function refuseCrossOrigin(c, next) {
    if (!SAFE_METHOD.test(c.req.method)) {
      const origin = c.req.header("origin");
      const site = c.req.header("sec-fetch-site");
      const ours = publicOrigins.length > 0 ? publicOrigins : [new URL(c.req.url).origin];
      const foreignOrigin = origin !== undefined && !ours.includes(origin);
      const foreignSite = site === "cross-site" || site === "same-site";
      if (foreignOrigin || foreignSite) throw new HTTPException(403);
    }
    await next();
  };
}

export function refuseForeignHost(publicOrigins: string[]): MiddlewareHandler {
  const hosts = new Set(publicOrigins.map((origin) => new URL(origin).host));
  return async function refuseForeignHost(c, next) {
    if (hosts.size > 0 && !UNCHECKED_HOST_PATHS.has(c.req.path)) {
      // HTTP/2 carries the host in :authority, not a Host header; Deno puts either in the URL.
      const host = new URL(c.req.url).host;
      if (!hosts.has(host)) {
        return c.text(`Misdirected request: this site answers as ${[...hosts].join(", ")}`, 421);
      }
    }
    await next();
  };
}

/**
 * Every layer, in order, as one middleware: a GET or HEAD only has its Host checked (hono/csrf
 * and refuseCrossOrigin look at unsafe methods alone), so reads skip two layers.
 */
export function csrfProtection(publicOrigins: string[] = []): MiddlewareHandler {
  const foreignHost = refuseForeignHost(publicOrigins);
  const forms = csrf(publicOrigins.length > 0 ? { origin: publicOrigins } : undefined);
  const crossOrigin = refuseCrossOrigin(publicOrigins);
  return function csrfProtection(c, next) {
    if (READ_METHOD.test(c.req.method)) return foreignHost(c, next);
    // Neither inner layer answers: each throws a 403 or calls on.
    return foreignHost(c, async () => {
      await forms(c, async () => {
        await crossOrigin(c, next);
      });
    });
  };
}
