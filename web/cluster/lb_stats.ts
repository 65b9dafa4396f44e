/**
 * Reads each load balancer's stats through its admin API (`GET /stats`, lb/admin.ts), with its
 * admin token when one is configured. An lb that does not answer within the timeout is shown as
 * unreachable with the reason; it never holds up the page.
 */
export interface LbTarget {
  name: string;
  /** The admin API's base URL, `http://10.0.0.5:9001`. */
  url: string;
}

export interface LbBackendView {
  id: string;
  address: string;
  state: string;
  health: string;
  since: string;
  active: number;
  total: number;
  failedConnects: number;
  lastCheck: { ok: boolean; at: string; detail: string | null; durationMs: number } | null;
}

export interface LbView {
  name: string;
  url: string;
  reachable: boolean;
  error?: string;
  engine?: string;
  addr?: string;
  uptimeSeconds?: number;
  connections?: { active: number; total: number; noBackend: number };
  backends: LbBackendView[];
}

export async function fetchLbStats(
  targets: LbTarget[],
  options: {
    token?: (name: string) => Promise<string | undefined>;
    timeoutMs?: number;
    fetch?: typeof fetch;
  } = {},
): Promise<LbView[]> {
  const get = options.fetch ?? fetch;
  return await Promise.all(targets.map(async (target): Promise<LbView> => {
    try {
      const token = await options.token?.(target.name);
      const response = await get(`${target.url}/stats`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 1000),
      });
      if (!response.ok) {
        await response.body?.cancel();
        return { ...target, reachable: false, error: `HTTP ${response.status}`, backends: [] };
      }
      const stats = await response.json();
      return {
        ...target,
        reachable: true,
        engine: stats.engine,
        addr: stats.addr,
        uptimeSeconds: stats.uptimeSeconds,
        connections: stats.connections,
        backends: (stats.backends ?? []).map((b: LbBackendView) => ({
          id: b.id,
          address: b.address,
          state: b.state,
          health: b.health,
          since: b.since,
          active: b.active,
          total: b.total,
          failedConnects: b.failedConnects,
          lastCheck: b.lastCheck,
        })),
      };
    } catch (error) {
      const reason = (error as Error).name === "TimeoutError"
        ? "no answer within the timeout"
        : (error as Error).message;
      return { ...target, reachable: false, error: reason, backends: [] };
    }
  }));
}
