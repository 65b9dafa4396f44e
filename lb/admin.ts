/**
 * The admin API: `GET /` status page, `GET /stats` JSON, `GET /metrics` Prometheus text,
 * `GET /memory` (each thread's heap after a full garbage collection, for soaks and leak hunts),
 * and `POST /backends/:id/drain|disable|enable`.
 *
 * Access: with a token configured, every POST and every request from a non-loopback address
 * needs `Authorization: Bearer <token>`. Without one, only loopback clients are served.
 *
 * Cross-site requests are refused before anything else, since a browser on the operator's machine
 * is a loopback client too: a page elsewhere could otherwise make it post a form here. A request
 * whose `Origin` is not this API's own, or that the browser marks `Sec-Fetch-Site: cross-site`,
 * gets 403; a POST with a body type a form can send without asking (form, multipart, text) gets
 * 415. curl and scripts send neither header.
 */
import { isLoopback } from "@fleetmon/shared/ip";
import type { BalancerStats } from "./backend.ts";
import type { HeapFigures } from "./heap.ts";
import { PROMETHEUS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { renderStatusPage } from "./status_page.ts";

export type AdminAction = "drain" | "disable" | "enable";

export interface AdminDeps {
  stats(): BalancerStats;
  /** Throws RangeError for an unknown backend id. */
  act(action: AdminAction, id: string): void;
  /** Each thread's heap after a full garbage collection; `/memory` answers 404 without it. */
  memory?(): Promise<LbMemory>;
  token?: string;
}

/** What `GET /memory` answers, in bytes. */
export interface LbMemory {
  /** The main thread: health checks, the admin API, backend state. */
  controlPlane: HeapFigures;
  /** The data plane's worker: the engine and its connections. */
  dataPlane: HeapFigures;
}

export type AdminHandler = (request: Request, remoteHostname: string) => Response;

const ACTION_PATH = /^\/backends\/([^/]+)\/(drain|disable|enable)$/;

export function createAdminHandler(deps: AdminDeps): AdminHandler {
  const expected = deps.token ? `Bearer ${deps.token}` : undefined;
  return function adminHandler(request, remoteHostname) {
    const url = new URL(request.url);
    const { pathname } = url;
    const write = request.method === "POST";
    const crossSite = crossSiteProblem(request, url);
    if (crossSite) return text(403, `Cross-site request refused: ${crossSite}`);
    const contentType = request.headers.get("content-type");
    if (write && contentType !== null && !/^application\/json\b/i.test(contentType)) {
      return text(415, `Cannot take a ${contentType} body: admin actions take none`);
    }
    const loopback = isLoopback(remoteHostname);
    if (!expected && !loopback) {
      return text(403, "Admin API is open to loopback clients only: set an admin token");
    }
    if (
      expected && (write || !loopback) &&
      !sameSecret(request.headers.get("authorization"), expected)
    ) {
      return new Response("Missing or wrong admin token\n", {
        status: 401,
        headers: { "www-authenticate": 'Bearer realm="lb admin"' },
      });
    }
    if (write) return post(deps, pathname);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text(405, `Method ${request.method} is not allowed here`);
    }
    switch (pathname) {
      case "/":
        return respond(renderStatusPage(deps.stats()), "text/html; charset=utf-8");
      case "/stats":
        return respond(JSON.stringify(deps.stats(), null, 2), "application/json");
      case "/metrics":
        return respond(renderMetrics(deps.stats()), PROMETHEUS_CONTENT_TYPE);
      case "/memory":
        if (!deps.memory) return text(404, "No memory figures here");
        return respond(
          later(deps.memory().then((m) => JSON.stringify(m, null, 2))),
          "application/json",
        );
      default:
        return text(404, `No admin page at ${pathname}`);
    }
  };
}

/** Why `request` comes from another site, or undefined when it does not seem to. */
function crossSiteProblem(request: Request, url: URL): string | undefined {
  const origin = request.headers.get("origin");
  if (origin !== null) {
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" (a sandboxed page or a file) or garbage: not this API's origin either.
    }
    if (host !== url.host) return `Origin ${origin} is not ${url.protocol}//${url.host}`;
  }
  if (request.headers.get("sec-fetch-site") === "cross-site") {
    return "the browser says it comes from another site";
  }
  return undefined;
}

function post(deps: AdminDeps, pathname: string): Response {
  const match = ACTION_PATH.exec(pathname);
  if (!match) return text(404, `No admin action at ${pathname}`);
  const id = decodeURIComponent(match[1]);
  const action = match[2] as AdminAction;
  try {
    deps.act(action, id);
  } catch (error) {
    if (error instanceof RangeError) return text(404, error.message);
    throw error;
  }
  const backend = deps.stats().backends.find((b) => b.id === id);
  return respond(JSON.stringify(backend, null, 2), "application/json");
}

/**
 * A body that comes once `text` resolves, so the handler stays synchronous; a rejection ends the
 * body with an error.
 */
function later(text: Promise<string>): ReadableStream<Uint8Array> {
  return ReadableStream.from((async function* () {
    yield new TextEncoder().encode(await text);
  })());
}

function respond(body: string | ReadableStream<Uint8Array>, contentType: string): Response {
  return new Response(body, {
    headers: { "content-type": contentType, "cache-control": "no-store" },
  });
}

function text(status: number, message: string): Response {
  return new Response(message + "\n", {
    status,
    headers: { "content-type": "text/plain; charset=utf-8" },
  });
}

/** Compares in time that does not depend on where the strings first differ. */
function sameSecret(given: string | null, expected: string): boolean {
  const a = new TextEncoder().encode(given ?? "");
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i] ?? 0) ^ b[i];
  return diff === 0;
}

export interface AdminServer {
  addr: { hostname: string; port: number };
  close(): Promise<void>;
}

/** Serves the admin handler over HTTP. */
export function serveAdmin(
  listen: { hostname: string; port: number },
  handler: AdminHandler,
  onError: (error: unknown) => void,
): AdminServer {
  const server = Deno.serve({
    hostname: listen.hostname,
    port: listen.port,
    onListen: () => {},
    onError: (error) => {
      onError(error);
      return new Response("Internal error\n", { status: 500 });
    },
  }, (request, info) => handler(request, (info.remoteAddr as Deno.NetAddr).hostname));
  return {
    addr: { hostname: listen.hostname, port: server.addr.port },
    close: () => server.shutdown(),
  };
}
