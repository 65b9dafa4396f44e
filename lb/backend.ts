/**
 * The balancer's model of one backend, after gobetween's: where it is, its health state machine,
 * and its counters. The balancer owns every Backend on the control plane's side; the data plane
 * (in its worker) counts into the backend's slot of SharedCounters, which is where these counts
 * are read from.
 */
import type { Logger } from "@fleetmon/shared/log";
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { ProxyProtocolVersion } from "@fleetmon/shared/proxy_protocol";
import type { AdminState, BackendState, Health, HealthState } from "./health_state.ts";
import type { SharedCounters } from "./shared_counters.ts";

export interface BackendSpec {
  /** Names the backend in logs, stats and the admin API: `cs0`. */
  id: string;
  /** Where client connections go. */
  address: HostPort;
  /** Where health checks go, when not to `address` (comm answers `GET /healthz` on another port). */
  check?: HostPort;
  /** Write a PROXY protocol header before the client's bytes. */
  proxyProtocol?: ProxyProtocolVersion;
}

/** What relays count into: bytes sent to the backend (tx) and received from it (rx). */
export interface ByteCounters {
  txBytes: number;
  rxBytes: number;
}

/** An open connection through a backend (a relay): it can be closed at once, and it counts progress. */
export interface OpenConnection {
  /** Grows whenever the connection relays bytes; the idle sweep compares it between sweeps. */
  readonly progress: number;
  close(reason: string): void;
}

export interface BackendStats {
  id: string;
  address: string;
  check: string;
  proxyProtocol: ProxyProtocolVersion | null;
  /** The admin state when there is one, otherwise the health. */
  state: BackendState;
  health: Health;
  admin: AdminState;
  /** When `state` last changed, ISO 8601. */
  since: string;
  lastCheck: { ok: boolean; at: string; detail: string | null; durationMs: number } | null;
  active: number;
  total: number;
  failedConnects: number;
  txBytes: number;
  rxBytes: number;
}

/** The whole balancer, as `GET /stats` shows it. */
export interface BalancerStats {
  name: string;
  addr: string;
  /** The data plane relaying connections: "epoll" or "deno". */
  engine: "epoll" | "deno";
  /** Why that engine: "asked for", "auto: epoll can run here" or "not epoll: <reason>". */
  engineWhy: string;
  startedAt: string;
  uptimeSeconds: number;
  connections: {
    active: number;
    total: number;
    /** Closed because no backend could take them. */
    noBackend: number;
    idleTimeouts: number;
    acceptErrors: number;
    maxConnections: number;
  };
  backends: BackendStats[];
}

export class Backend {
  readonly id: string;
  readonly address: HostPort;
  readonly checkAddress: HostPort;
  readonly proxyProtocol: ProxyProtocolVersion | undefined;
  readonly health: HealthState;
  /** Logs with this backend's id. */
  readonly logger: Logger;
  /** Its place in SharedCounters. */
  readonly slot: number;
  /** How long the last health check took. */
  lastCheckMs = 0;
  readonly #counters: SharedCounters;

  constructor(
    spec: BackendSpec,
    health: HealthState,
    logger: Logger,
    place: { slot: number; counters: SharedCounters },
  ) {
    this.id = spec.id;
    this.logger = logger;
    this.address = spec.address;
    this.checkAddress = spec.check ?? spec.address;
    this.proxyProtocol = spec.proxyProtocol;
    this.health = health;
    this.slot = place.slot;
    this.#counters = place.counters;
  }

  /** Open connections through it. */
  get active(): number {
    return this.#counters.count(this.slot, "active");
  }

  get total(): number {
    return this.#counters.count(this.slot, "total");
  }

  get failedConnects(): number {
    return this.#counters.count(this.slot, "failedConnects");
  }

  /** Bytes sent to it. */
  get txBytes(): number {
    return this.#counters.count(this.slot, "txBytes");
  }

  /** Bytes received from it. */
  get rxBytes(): number {
    return this.#counters.count(this.slot, "rxBytes");
  }

  stats(): BackendStats {
    const last = this.health.lastCheck;
    return {
      id: this.id,
      address: formatHostPort(this.address),
      check: formatHostPort(this.checkAddress),
      proxyProtocol: this.proxyProtocol ?? null,
      state: this.health.state,
      health: this.health.health,
      admin: this.health.admin,
      since: new Date(this.health.since).toISOString(),
      lastCheck: last
        ? {
          ok: last.ok,
          at: new Date(last.at).toISOString(),
          detail: last.detail ?? null,
          durationMs: this.lastCheckMs,
        }
        : null,
      active: this.active,
      total: this.total,
      failedConnects: this.failedConnects,
      txBytes: this.txBytes,
      rxBytes: this.rxBytes,
    };
  }
}
