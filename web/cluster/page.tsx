/** /cluster: load balancers, nodes and the database on one page; cluster.js refreshes it. */
import { formatNumber, relativeTime } from "../views/format.ts";
import { Layout } from "../views/layout.tsx";
import { type Column, StackTable } from "../views/table.tsx";
import { READINGS_COLLECTIONS, type ShardView, type SpreadView } from "./database.ts";
import type { LbBackendView } from "./lb_stats.ts";
import type { ClusterNodeView, ClusterView } from "./view.ts";

type Role = "admin" | "operator" | "viewer";

const STATE_CLASS: Record<string, string> = {
  up: "badge ok",
  stale: "badge off",
  out: "badge warning",
};
const stateClass = (state: string) =>
  STATE_CLASS[state] ?? (state === "up" ? "badge ok" : "badge off");
const rate = (value: number | undefined, unit: string) =>
  value === undefined ? "–" : `${formatNumber(Math.round(value * 10) / 10)} ${unit}`;
const bytes = (n: number) =>
  n >= 1e9
    ? `${(n / 1e9).toFixed(1)} GB`
    : n >= 1e6
    ? `${(n / 1e6).toFixed(1)} MB`
    : `${Math.round(n / 1e3)} kB`;

const lastCheck = (b: LbBackendView) =>
  b.lastCheck
    ? `${b.lastCheck.ok ? "ok" : "failed"} ${b.lastCheck.durationMs} ms${
      b.lastCheck.detail ? `: ${b.lastCheck.detail}` : ""
    }`
    : "–";

const BACKEND_COLUMNS = (now: number): Column<LbBackendView>[] => [
  { label: "Backend", cell: (b) => b.id },
  { label: "Address", class: "mono", cell: (b) => b.address },
  { label: "State", cell: (b) => <span class={stateClass(b.state)}>{b.state}</span> },
  { label: "Since", cell: (b) => relativeTime(b.since, now) },
  { label: "Open", num: true, cell: (b) => formatNumber(b.active) },
  { label: "Total", num: true, cell: (b) => formatNumber(b.total) },
  { label: "Failed connects", num: true, cell: (b) => formatNumber(b.failedConnects) },
  { label: "Last check", class: "muted", cell: lastCheck },
];

/** A node's own health and what each lb thinks of it. */
const health = (n: ClusterNodeView) => (
  <span>
    <span class={stateClass(n.health)}>{n.health}</span>{" "}
    <span class="muted">
      {Object.entries(n.lb).map(([lb, s]) => `${lb}: ${s}`).join(", ")}
    </span>
  </span>
);

/** The columns every node has, around its kind's own. */
const nodeColumns = (
  now: number,
  name: (n: ClusterNodeView) => string,
  own: Column<ClusterNodeView>[],
): Column<ClusterNodeView>[] => [
  { label: "Node", cell: name },
  { label: "Health", cell: health },
  ...own,
  { label: "Address", class: "mono", cell: (n) => n.address },
  { label: "Heartbeat", cell: (n) => relativeTime(n.heartbeatAt, now) },
];

const COMM_COLUMNS = (now: number) =>
  nodeColumns(now, (n) => n.id, [
    { label: "Stored", num: true, cell: (n) => rate(n.rates.readingsStored, "/s") },
    { label: "Rejected", num: true, cell: (n) => rate(n.rates.readingsRejected, "/s") },
    { label: "Connections", num: true, cell: (n) => formatNumber(n.stats.connections ?? 0) },
    {
      label: "Pending writes",
      num: true,
      cell: (n) => formatNumber(n.stats.pendingReadings ?? 0),
    },
    { label: "Write errors", num: true, cell: (n) => rate(n.rates.dbWriteErrors, "/s") },
  ]);

const WEB_COLUMNS = (now: number, self: string) =>
  nodeColumns(now, (n) => `${n.id}${n.id === self ? " (this)" : ""}`, [
    { label: "Requests", num: true, cell: (n) => rate(n.rates.requests, "/s") },
    { label: "5xx", num: true, cell: (n) => rate(n.rates.responses5xx, "/s") },
    { label: "Failed sign-ins", num: true, cell: (n) => rate(n.rates.loginsFailed, "/s") },
    { label: "In flight", num: true, cell: (n) => formatNumber(n.stats.inFlight ?? 0) },
    { label: "Live streams", num: true, cell: (n) => formatNumber(n.stats.liveStreams ?? 0) },
  ]);

const SHARD_COLUMNS: Column<ShardView>[] = [
  { label: "Shard", cell: (s) => s.id },
  { label: "Hosts", class: "mono", cell: (s) => s.host },
];

/** Each collection's documents per shard, with its share of that collection. */
const SPREAD_COLUMNS = (spread: SpreadView[]): Column<SpreadView>[] => {
  const total = (collection: string) =>
    spread.filter((x) => x.collection === collection).reduce((sum, x) => sum + x.count, 0);
  return [
    {
      label: "Readings",
      cell: (r) => (
        <>
          <span class="mono">{r.collection}</span>{" "}
          <span class="muted small">
            {READINGS_COLLECTIONS.find((c) => c.name === r.collection)?.holds}
          </span>
        </>
      ),
    },
    { label: "On", cell: (r) => r.shard },
    { label: "Documents", num: true, cell: (r) => formatNumber(r.count) },
    { label: "Size", num: true, cell: (r) => bytes(r.sizeBytes) },
    {
      label: "Share",
      num: true,
      cell: (r) => {
        const all = total(r.collection);
        return all > 0 ? `${Math.round((r.count / all) * 100)} %` : "–";
      },
    },
  ];
};

export function ClusterPage(props: { user: string; role: Role; view: ClusterView }) {
  const { view } = props;
  const now = Date.parse(view.at);
  const comm = view.nodes.filter((n) => n.kind === "comm");
  const web = view.nodes.filter((n) => n.kind === "web");
  return (
    <Layout
      root="./"
      title="Cluster"
      user={props.user}
      role={props.role}
      active="cluster"
      scripts={["cluster.js"]}
    >
      <div id="cluster" data-at={view.at}>
        <div class="page-head">
          <h1>Cluster</h1>
          <span class="muted">
            served by {view.self} · updated{" "}
            <time datetime={view.at}>{relativeTime(view.at, now)}</time>
          </span>
        </div>

        <h2>Load balancers</h2>
        {view.lbs.length === 0 && (
          <p class="muted">No load balancer configured (web's --lb-admin).</p>
        )}
        {view.lbs.map((lb) => (
          <section class="card" data-lb={lb.name}>
            <h3>
              {lb.name}{" "}
              <span class={lb.reachable ? "badge ok" : "badge off"}>
                {lb.reachable ? "reachable" : "unreachable"}
              </span>{" "}
              <span class="muted small">
                {lb.reachable
                  ? `${lb.addr} · ${lb.engine} · ${lb.connections?.active ?? 0} open · ${
                    formatNumber(lb.connections?.total ?? 0)
                  } total`
                  : `${lb.url}: ${lb.error}`}
              </span>
            </h3>
            {lb.backends.length > 0 && (
              <StackTable
                columns={BACKEND_COLUMNS(now)}
                rows={lb.backends}
                rowData={(b) => ({ backend: b.id })}
              />
            )}
          </section>
        ))}

        <h2>comm nodes</h2>
        {comm.length > 0 && (
          <StackTable
            id="comm-nodes"
            columns={COMM_COLUMNS(now)}
            rows={comm}
            rowData={(n) => ({ node: n.id })}
          />
        )}
        {comm.length === 0 && <p class="muted">No comm node has sent a heartbeat yet.</p>}

        <h2>web nodes</h2>
        {web.length > 0 && (
          <StackTable
            id="web-nodes"
            columns={WEB_COLUMNS(now, view.self)}
            rows={web}
            rowData={(n) => ({ node: n.id })}
          />
        )}

        <h2>Database</h2>
        <section class="card" id="database">
          <dl class="facts">
            <dt>Server</dt>
            <dd>{view.database.server} {view.database.version ?? "(version unknown)"}</dd>
            <dt>Topology</dt>
            <dd>{view.database.topology}</dd>
            <dt>Database</dt>
            <dd class="mono">{view.database.name}</dd>
            {Object.entries(view.database.counts).map(([name, count]) => (
              <>
                <dt class="mono">{name}</dt>
                <dd>
                  {count === null
                    ? "–"
                    : `${formatNumber(count)} document${count === 1 ? "" : "s"}`}
                </dd>
              </>
            ))}
          </dl>
          {view.database.shards.length > 0 && (
            <StackTable
              id="shards"
              columns={SHARD_COLUMNS}
              rows={view.database.shards}
              rowData={(s) => ({ shard: s.id })}
            />
          )}
          {view.database.readings.length > 0 && (
            <StackTable
              id="readings-spread"
              columns={SPREAD_COLUMNS(view.database.readings)}
              rows={view.database.readings}
              rowData={(r) => ({ collection: r.collection, shard: r.shard })}
            />
          )}
          {view.database.notes.map((note) => <p key={note} class="muted">Not available: {note}</p>)}
        </section>
      </div>
    </Layout>
  );
}
