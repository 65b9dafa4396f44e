/**
 * The whole system on one page (GET /api/cluster and /cluster): every load balancer with each
 * backend's state from its admin API, every comm and web node from its heartbeat with rates and
 * pending writes, and the database. A node's `lb` field says what each lb thinks of it, matched by
 * address, so "alive but taken out by lb(web)" is visible at a glance.
 */
import type { Db } from "mongodb";
import { listNodes } from "@fleetmon/shared/db";
import { type NodeJson, nodeJson } from "../shapes.ts";
import { type DatabaseView, describeDatabase } from "./database.ts";
import { fetchLbStats, type LbTarget, type LbView } from "./lb_stats.ts";
import { createRateTracker, type RateTracker } from "./rates.ts";

export interface ClusterNodeView extends NodeJson {
  rates: Record<string, number>;
  /** lb name → the backend's state there, for each lb that has this node as a backend. */
  lb: Record<string, string>;
  /** "up", "stale" (no heartbeat), or "out" (alive, but some lb does not send to it). */
  health: "up" | "stale" | "out";
}

export interface ClusterView {
  self: string;
  at: string;
  lbs: LbView[];
  nodes: ClusterNodeView[];
  database: DatabaseView;
}

export interface ClusterSources {
  db: Db;
  self: string;
  lbs: LbTarget[];
  /** The admin token for an lb, by its name; read when the page is read, so a new token counts. */
  lbToken?: (name: string) => Promise<string | undefined>;
  now: () => number;
}

/** Reads every layer; keeps rates between calls and the database's answer for 10 s. */
export function createClusterReader(sources: ClusterSources) {
  const tracker: RateTracker = createRateTracker();
  let database: { at: number; view: Promise<DatabaseView> } | undefined;

  const observeNodes = async () => {
    const docs = await listNodes(sources.db);
    for (const doc of docs) tracker.observe(doc._id, doc.heartbeatAt.getTime(), doc.stats ?? {});
    return docs;
  };

  return {
    /** Feeds the rate tracker; call every heartbeat interval so rates are ready at first view. */
    sample: async () => void await observeNodes(),
    async read(): Promise<ClusterView> {
      const now = sources.now();
      if (!database || now - database.at > 10_000) {
        database = { at: now, view: describeDatabase(sources.db) };
      }
      const [docs, lbs, db] = await Promise.all([
        observeNodes(),
        fetchLbStats(sources.lbs, { token: sources.lbToken }),
        database.view,
      ]);
      const nodes = docs.map((doc): ClusterNodeView => {
        const node = nodeJson(doc, now);
        const lb: Record<string, string> = {};
        for (const view of lbs) {
          const backend = view.backends.find((b) => sameAddress(b.address, node.address));
          if (backend) lb[view.name] = backend.state;
        }
        const out = Object.values(lb).some((state) => state !== "up");
        return {
          ...node,
          rates: tracker.rates(doc._id),
          lb,
          health: !node.alive ? "stale" : out ? "out" : "up",
        };
      });
      return { self: sources.self, at: new Date(now).toISOString(), lbs, nodes, database: db };
    },
  };
}

export type ClusterReader = ReturnType<typeof createClusterReader>;

/** `127.0.0.1:7101` and `localhost:7101` name one listener; so do `0.0.0.0:7101` and any host. */
function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const port = (s: string) => s.slice(s.lastIndexOf(":") + 1);
  const host = (s: string) => s.slice(0, s.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  const loopback = (h: string) => h === "localhost" || h === "127.0.0.1" || h === "::1";
  const wildcard = (h: string) => h === "0.0.0.0" || h === "::";
  return port(a) === port(b) &&
    ((loopback(host(a)) && loopback(host(b))) || wildcard(host(a)) || wildcard(host(b)));
}

/** Reads `pattern` with `{name}` replaced by the lb's name; no file means no token. */
export function readLbToken(pattern: string) {
  return async (name: string): Promise<string | undefined> => {
    try {
      return (await Deno.readTextFile(pattern.replaceAll("{name}", name))).trim() || undefined;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  };
}
