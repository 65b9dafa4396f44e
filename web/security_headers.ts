/**
 * Security headers on every answer, in two sets:
 * - Pages and everything else a browser renders as a document: a self-only CSP, X-Frame-Options,
 *   Referrer-Policy, HSTS and the rest of Hono's secureHeaders.
 * - Answers to machines (`/api/…`, `/healthz`, `/metrics`; isApiPath): the set OWASP's REST
 *   Security Cheat Sheet gives for APIs. A JSON answer opened as a page can run nothing
 *   (`default-src 'none'`) and cannot be framed (`frame-ancestors 'none'`, which every current
 *   browser honours in place of X-Frame-Options); `nosniff` keeps it from being read as script or
 *   HTML; `Cross-Origin-Resource-Policy` keeps other origins (even same-site ones, which carry a
 *   SameSite=Strict cookie) from loading it. Headers that only act on a rendered document with
 *   links or script (Referrer-Policy, COOP, Origin-Agent-Cluster, X-XSS-Protection, …) are left
 *   off, and so is HSTS: a browser learns it from the pages (the sign-in page first), and scripts
 *   ignore it. Each header costs every API answer measurably (docs/web.md "Benchmark").
 * Either way, `Cache-Control: no-store` unless the route set its own (static assets revalidate).
 */
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { isApiPath } from "./error_handler.ts";

/** Only our own origin, for everything; no inline script or style. */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const API_HEADERS: readonly (readonly [string, string])[] = [
  ["content-security-policy", "default-src 'none'; frame-ancestors 'none'"],
  ["x-content-type-options", "nosniff"],
  ["cross-origin-resource-policy", "same-origin"],
];

export function securityHeaders(): MiddlewareHandler {
  const pageHeaders = secureHeaders({
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    // Not no-referrer: with it, browsers send `Origin: null` on same-origin form posts.
    referrerPolicy: "same-origin",
    xFrameOptions: "DENY",
  });
  return async function securityHeaders(c, next) {
    if (isApiPath(c.req.path)) {
      await next();
      const headers = c.res.headers;
      for (const [name, value] of API_HEADERS) headers.set(name, value);
    } else {
      await pageHeaders(c, next);
    }
    // Pages and API answers are personal: no cache keeps them.
    if (!c.res.headers.has("cache-control")) c.res.headers.set("cache-control", "no-store");
  };
}
