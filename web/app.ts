/**
 * createApp(deps): the web tier's Hono app. Stateless: users, sessions, devices, readings and
 * node heartbeats all live in the database, so any node answers any request.
 */
import { Hono, type MiddlewareHandler } from "hono";
import { alertPages, alertRoutes, firingAlerts } from "./alerts/mod.ts";
import { accessApiRoutes } from "./access/api_routes.ts";
import { accessPageRoutes } from "./access/page_routes.tsx";
import { enforceRoles } from "./access/policy.ts";
import { auditChanges } from "./access/audit_changes.ts";
import { clusterRoutes } from "./cluster/routes.tsx";
import { createClusterReader } from "./cluster/view.ts";
import { apiRoutes } from "./api_routes.ts";
import { createFleet } from "./fleet/mod.ts";
import { fleetRoutes } from "./fleet_routes.ts";
import { requireSession } from "./auth.ts";
import type { AppContext, AppDeps, WebEnv } from "./context.ts";
import { compressJson } from "./compress.ts";
import { csrfProtection } from "./csrf.ts";
import { errorHandler, isApiPath } from "./error_handler.ts";
import { healthz } from "./health.ts";
import { AuthCache } from "./login/auth_cache.ts";
import { createInlineHasher } from "./login/password_hasher.ts";
import { loginRoutes } from "./login_routes.tsx";
import { createWebMetrics, PROMETHEUS_CONTENT_TYPE } from "./metrics.ts";
import { parseQuery } from "./query.ts";
import { z } from "zod";
import { pageRoutes } from "./page_routes.tsx";
import { readingsRoutes } from "./readings_routes.ts";
import { createLoginLimiter } from "./rate_limit.ts";
import { DEFAULT_SESSION_TTL_MS } from "./sessions.ts";
import { securityHeaders } from "./security_headers.ts";
import { serveAsset } from "./static.ts";
import { createStats } from "./stats.ts";
import { observeRequests } from "./observe.ts";
import { ErrorPage } from "./views/error_page.tsx";

export type { AppDeps, WebEnv } from "./context.ts";
export { CONTENT_SECURITY_POLICY } from "./security_headers.ts";

export function createApp(deps: AppDeps): Hono<WebEnv> {
  const ctx = resolve(deps);
  const app = new Hono<WebEnv>();
  app.onError(errorHandler(ctx.logger));
  app.notFound((c) => {
    const message = `Nothing at ${c.req.path}`;
    if (isApiPath(c.req.path)) return c.json({ error: { code: "not_found", message } }, 404);
    return c.html(ErrorPage({ path: c.req.path, status: 404, message }), 404);
  });

  app.use(observeRequests(ctx));
  app.use(securityHeaders());
  app.use(compressJson());
  app.use(forgetCachedSessionsAfterChanges(ctx));
  app.use(csrfProtection(ctx.publicOrigins));

  // Public: health, static assets, sign-in.
  app.get("/healthz", healthz(ctx));
  app.get("/static/:name", async (c) => (await serveAsset(c, c.req.param("name"))) ?? c.notFound());
  app.route("/", loginRoutes(ctx));

  // Everything below needs a session.
  app.use(requireSession(ctx));
  app.use(enforceRoles());
  app.use(auditChanges(ctx));
  app.get("/metrics", async (c) => {
    parseQuery(c, z.strictObject({}));
    return c.body(await ctx.metrics.registry.metrics(), 200, {
      "content-type": PROMETHEUS_CONTENT_TYPE,
    });
  });
  app.route("/api/alerts", alertRoutes(ctx));
  app.route("/api", fleetRoutes(ctx));
  app.route("/api", readingsRoutes(ctx));
  app.route("/api", apiRoutes(ctx));
  app.route("/api", accessApiRoutes(ctx));
  app.route("/", alertPages(ctx));
  app.route("/", pageRoutes(ctx));
  app.route("/", accessPageRoutes(ctx));
  app.route("/", clusterRoutes(ctx, ctx.clusterReader));
  return app;
}

function resolve(deps: AppDeps): AppContext {
  const now = deps.now ?? Date.now;
  const sessionTtlMs = deps.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  if (!(sessionTtlMs >= 1000)) {
    throw new RangeError(`Cannot create app: sessionTtlMs ${sessionTtlMs} is below 1000`);
  }
  const stats = deps.stats ?? createStats();
  const hasher = deps.hasher ?? createInlineHasher();
  return {
    db: deps.db,
    logger: deps.logger,
    nodeId: deps.nodeId,
    now,
    sessionTtlMs,
    stats,
    signal: deps.signal ?? new AbortController().signal,
    loginLimiter: deps.loginLimiter ?? createLoginLimiter(deps.db, { now }),
    hasher,
    publicOrigins: (deps.publicOrigins ?? []).map((origin) => new URL(origin).origin),
    metrics: createWebMetrics(deps.nodeId, { stats, hasher }),
    clusterReader: deps.clusterReader ??
      createClusterReader({ db: deps.db, self: deps.nodeId, lbs: [], now }),
    liveIntervalMs: deps.liveIntervalMs ?? 2_000,
    liveMaxMs: deps.liveMaxMs ?? 5 * 60_000,
    authCache: deps.authCache ?? new AuthCache({ now }),
    fleet: deps.fleet ??
      createFleet({ db: deps.db, logger: deps.logger, now, firing: () => firingAlerts(deps.db) }),
  };
}

/**
 * A change served here may have ended or narrowed a session or token (sign-out, role change, …):
 * this node's cached ones go at once; other nodes drop theirs when the revocation count moves.
 */
function forgetCachedSessionsAfterChanges(ctx: AppContext): MiddlewareHandler {
  return async function forgetCachedSessionsAfterChanges(c, next) {
    if (/^(GET|HEAD|OPTIONS)$/.test(c.req.method)) return await next();
    await next();
    if (c.res.status < 400) ctx.authCache.clear();
  };
}
