/** Plain counters on the hot path; turned into Prometheus text only when scraped. */
import type { NackCode } from "@fleetmon/shared/protocol";

export interface CommStats {
  connectionsTotal: number;
  connectionsActive: number;
  /** Connections that closed without sending a byte: load balancer health checks. */
  probes: number;
  authenticated: number;
  authFailures: number;
  readingsAccepted: number;
  readingsStored: number;
  readingsRejected: Partial<Record<NackCode, number>>;
  /** Times a connection's reading waited for its rate limit, and the ms it waited in all. */
  ratePauses: number;
  ratePausedMs: number;
  bytesIn: number;
  batches: number;
  batchedReadings: number;
  dbWriteErrors: number;
  /** Last batch write time, ms. */
  lastWriteMs: number;
}

export function createStats(): CommStats {
  return {
    connectionsTotal: 0,
    connectionsActive: 0,
    probes: 0,
    authenticated: 0,
    authFailures: 0,
    readingsAccepted: 0,
    readingsStored: 0,
    readingsRejected: {},
    ratePauses: 0,
    ratePausedMs: 0,
    bytesIn: 0,
    batches: 0,
    batchedReadings: 0,
    dbWriteErrors: 0,
    lastWriteMs: 0,
  };
}

export function countRejected(stats: CommStats, code: NackCode): void {
  stats.readingsRejected[code] = (stats.readingsRejected[code] ?? 0) + 1;
}
