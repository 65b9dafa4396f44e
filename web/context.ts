/** What createApp's parts share: resolved dependencies and the Hono environment type. */
import type { Db } from "mongodb";
import type { SessionDoc } from "@fleetmon/shared/db";
import type { Logger } from "@fleetmon/shared/log";
import type { ClusterReader } from "./cluster/view.ts";
import type { AuthCache } from "./login/auth_cache.ts";
import type { PasswordHasher } from "./login/password_hasher.ts";
import type { WebMetrics } from "./metrics.ts";
import type { Fleet } from "./fleet/mod.ts";
import type { LoginLimiter } from "./rate_limit.ts";
import type { WebStats } from "./stats.ts";

export interface WebEnv {
  Bindings: {
    /** The peer's address, passed by createWebServer; absent under app.request in tests. */
    remoteAddr?: Deno.Addr;
  };
  Variables: {
    session: SessionDoc;
    /** The cookie value of the current session (never stored); absent for an API token. */
    sessionId: string;
    /** How the caller signed in: a session cookie, or an API token (its public id). */
    auth: { via: "session" | "token"; tokenId?: string };
    /** Set by a route that wrote its own audit entry, so the generic one is not written. */
    audited: boolean;
  };
}

export interface AppDeps {
  db: Db;
  logger: Logger;
  nodeId: string;
  /** Clock in epoch milliseconds; injected by tests. */
  now?: () => number;
  sessionTtlMs?: number;
  /** Counters to update; pass the same object to the heartbeat. */
  stats?: WebStats;
  /** Aborted on shutdown: ends live streams and makes /healthz answer 503 (draining). */
  signal?: AbortSignal;
  loginLimiter?: LoginLimiter;
  /** Checks passwords; default one at a time on the main thread (startWebNode passes Workers). */
  hasher?: PasswordHasher;
  /**
   * The origins users reach the dashboard at (`https://fleet.example.com:8443`). When set, an
   * unsafe request's Origin must be one of them, and pages are served only to a Host header of
   * one of them (DNS rebinding). When unset, the request's own origin is trusted (tests, local).
   */
  publicOrigins?: string[];
  /** Reads every layer for /cluster; default: nodes and database only, no load balancers. */
  clusterReader?: ClusterReader;
  /** How often a live stream looks for changes; default 2000 ms. */
  liveIntervalMs?: number;
  /** A live stream is closed after this long (the browser reconnects); default 5 min. */
  liveMaxMs?: number;
  /** The node's fleet index; made from `db` on first use unless given. */
  fleet?: Fleet;
  /**
   * Validated sessions and tokens (login/auth_cache.ts). Used only while someone feeds it the
   * cluster's revocation count (startWebNode does, every 250 ms); default: a cache never fed, so
   * every request reads the database.
   */
  authCache?: AuthCache<Authenticated>;
}

/** Who a request is, as the session gate found it. */
export interface Authenticated {
  session: SessionDoc;
  auth: WebEnv["Variables"]["auth"];
}

export interface AppContext {
  db: Db;
  logger: Logger;
  nodeId: string;
  now: () => number;
  sessionTtlMs: number;
  stats: WebStats;
  signal: AbortSignal;
  loginLimiter: LoginLimiter;
  hasher: PasswordHasher;
  publicOrigins: string[];
  clusterReader: ClusterReader;
  metrics: WebMetrics;
  liveIntervalMs: number;
  liveMaxMs: number;
  fleet: Fleet;
  authCache: AuthCache<Authenticated>;
}

/** The client's address as this node sees it (behind lb(web) in bridge mode: the lb's). */
export function clientAddress(env: WebEnv["Bindings"] | undefined): string {
  const addr = env?.remoteAddr;
  return addr && "hostname" in addr ? addr.hostname : "unknown";
}
