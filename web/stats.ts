/** This node's counters, reported in its heartbeat (and so on the /cluster page). */

export interface WebStats {
  requests: number;
  responses2xx: number;
  responses3xx: number;
  responses4xx: number;
  responses5xx: number;
  inFlight: number;
  loginsSucceeded: number;
  loginsFailed: number;
  loginsRateLimited: number;
  /** Sign-ins refused with 503 because the password checks were full. */
  loginsBusy: number;
  liveStreams: number;
}

export function createStats(): WebStats {
  return {
    requests: 0,
    responses2xx: 0,
    responses3xx: 0,
    responses4xx: 0,
    responses5xx: 0,
    inFlight: 0,
    loginsSucceeded: 0,
    loginsFailed: 0,
    loginsRateLimited: 0,
    loginsBusy: 0,
    liveStreams: 0,
  };
}

/** Counts one answered request by its status class. */
export function countResponse(stats: WebStats, status: number): void {
  if (status >= 500) stats.responses5xx++;
  else if (status >= 400) stats.responses4xx++;
  else if (status >= 300) stats.responses3xx++;
  else stats.responses2xx++;
}
