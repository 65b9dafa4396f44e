/** /cluster: load balancers, nodes and the database on one page; cluster.js refreshes it. */
import { formatNumber, relativeTime } from "../views/format.ts";
import { Layout } from "../views/layout.tsx";
import { READINGS_COLLECTIONS } from "./database.ts";
import type { ClusterView } from "./view.ts";

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
              <div class="table-wrap">
                <table class="grid stackable">
                  <thead>
                    <tr>
                      <th>Backend</th>
                      <th>Address</th>
                      <th>State</th>
                      <th>Since</th>
                      <th class="num">Open</th>
                      <th class="num">Total</th>
                      <th class="num">Failed connects</th>
                      <th>Last check</th>
                    </tr>
                  </thead>
                  <tbody>
                    {lb.backends.map((b) => (
                      <tr data-backend={b.id}>
                        <td data-label="Backend">{b.id}</td>
                        <td data-label="Address" class="mono">{b.address}</td>
                        <td data-label="State">
                          <span class={stateClass(b.state)}>{b.state}</span>
                        </td>
                        <td data-label="Since">{relativeTime(b.since, now)}</td>
                        <td data-label="Open" class="num">{formatNumber(b.active)}</td>
                        <td data-label="Total" class="num">{formatNumber(b.total)}</td>
                        <td data-label="Failed connects" class="num">
                          {formatNumber(b.failedConnects)}
                        </td>
                        <td data-label="Last check" class="muted">
                          {b.lastCheck
                            ? `${b.lastCheck.ok ? "ok" : "failed"} ${b.lastCheck.durationMs} ms${
                              b.lastCheck.detail ? `: ${b.lastCheck.detail}` : ""
                            }`
                            : "–"}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        ))}

        <h2>comm nodes</h2>
        <div class="table-wrap" hidden={comm.length === 0}>
          <table class="grid stackable" id="comm-nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Health</th>
                <th class="num">Stored</th>
                <th class="num">Rejected</th>
                <th class="num">Connections</th>
                <th class="num">Pending writes</th>
                <th class="num">Write errors</th>
                <th>Address</th>
                <th>Heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {comm.map((n) => (
                <tr data-node={n.id}>
                  <td data-label="Node">{n.id}</td>
                  <td data-label="Health">
                    <span>
                      <span class={stateClass(n.health)}>{n.health}</span>{" "}
                      <span class="muted">
                        {Object.entries(n.lb).map(([lb, s]) => `${lb}: ${s}`).join(", ")}
                      </span>
                    </span>
                  </td>
                  <td data-label="Stored" class="num">{rate(n.rates.readingsStored, "/s")}</td>
                  <td data-label="Rejected" class="num">{rate(n.rates.readingsRejected, "/s")}</td>
                  <td data-label="Connections" class="num">
                    {formatNumber(n.stats.connections ?? 0)}
                  </td>
                  <td data-label="Pending writes" class="num">
                    {formatNumber(n.stats.pendingReadings ?? 0)}
                  </td>
                  <td data-label="Write errors" class="num">{rate(n.rates.dbWriteErrors, "/s")}</td>
                  <td data-label="Address" class="mono">{n.address}</td>
                  <td data-label="Heartbeat">{relativeTime(n.heartbeatAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {comm.length === 0 && <p class="muted">No comm node has sent a heartbeat yet.</p>}

        <h2>web nodes</h2>
        <div class="table-wrap" hidden={web.length === 0}>
          <table class="grid stackable" id="web-nodes">
            <thead>
              <tr>
                <th>Node</th>
                <th>Health</th>
                <th class="num">Requests</th>
                <th class="num">5xx</th>
                <th class="num">Failed sign-ins</th>
                <th class="num">In flight</th>
                <th class="num">Live streams</th>
                <th>Address</th>
                <th>Heartbeat</th>
              </tr>
            </thead>
            <tbody>
              {web.map((n) => (
                <tr data-node={n.id}>
                  <td data-label="Node">{n.id}{n.id === view.self ? " (this)" : ""}</td>
                  <td data-label="Health">
                    <span>
                      <span class={stateClass(n.health)}>{n.health}</span>{" "}
                      <span class="muted">
                        {Object.entries(n.lb).map(([lb, s]) => `${lb}: ${s}`).join(", ")}
                      </span>
                    </span>
                  </td>
                  <td data-label="Requests" class="num">{rate(n.rates.requests, "/s")}</td>
                  <td data-label="5xx" class="num">{rate(n.rates.responses5xx, "/s")}</td>
                  <td data-label="Failed sign-ins" class="num">
                    {rate(n.rates.loginsFailed, "/s")}
                  </td>
                  <td data-label="In flight" class="num">{formatNumber(n.stats.inFlight ?? 0)}</td>
                  <td data-label="Live streams" class="num">
                    {formatNumber(n.stats.liveStreams ?? 0)}
                  </td>
                  <td data-label="Address" class="mono">{n.address}</td>
                  <td data-label="Heartbeat">{relativeTime(n.heartbeatAt, now)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

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
            <table class="grid stackable" id="shards">
              <thead>
                <tr>
                  <th>Shard</th>
                  <th>Hosts</th>
                </tr>
              </thead>
              <tbody>
                {view.database.shards.map((s) => (
                  <tr data-shard={s.id}>
                    <td data-label="Shard">{s.id}</td>
                    <td data-label="Hosts" class="mono">{s.host}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {view.database.readings.length > 0 && (
            <div class="table-wrap">
              <table class="grid stackable" id="readings-spread">
                <thead>
                  <tr>
                    <th>Readings</th>
                    <th>On</th>
                    <th class="num">Documents</th>
                    <th class="num">Size</th>
                    <th class="num">Share</th>
                  </tr>
                </thead>
                <tbody>
                  {view.database.readings.map((r) => {
                    const total = view.database.readings
                      .filter((x) => x.collection === r.collection)
                      .reduce((sum, x) => sum + x.count, 0);
                    const holds = READINGS_COLLECTIONS.find((c) => c.name === r.collection)?.holds;
                    return (
                      <tr data-collection={r.collection} data-shard={r.shard}>
                        <td data-label="Readings">
                          <span class="mono">{r.collection}</span>{" "}
                          <span class="muted small">{holds}</span>
                        </td>
                        <td data-label="On">{r.shard}</td>
                        <td data-label="Documents" class="num">{formatNumber(r.count)}</td>
                        <td data-label="Size" class="num">{bytes(r.sizeBytes)}</td>
                        <td data-label="Share" class="num">
                          {total > 0 ? `${Math.round((r.count / total) * 100)} %` : "–"}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
          {view.database.notes.map((note) => <p key={note} class="muted">Not available: {note}</p>)}
        </section>
      </div>
    </Layout>
  );
}
