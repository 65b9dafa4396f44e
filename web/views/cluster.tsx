/** /cluster: comm and web nodes as their heartbeats describe them. */
import type { NodeJson } from "../shapes.ts";
import { formatNumber, relativeTime } from "./format.ts";
import { Layout } from "./layout.tsx";

export function ClusterPage(props: { user: string; nodes: NodeJson[]; now: number; self: string }) {
  return (
    <Layout
      root="./"
      title="Cluster"
      user={props.user}
      active="cluster"
      scripts={["common.js", "cluster.js"]}
    >
      <div class="page-head">
        <h1>Cluster</h1>
        <span class="muted">served by {props.self}</span>
      </div>
      <table class="grid" id="nodes" data-source="api/nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Kind</th>
            <th>State</th>
            <th>Version</th>
            <th>Address</th>
            <th>Host / pid</th>
            <th>Started</th>
            <th>Last heartbeat</th>
            <th>Stats</th>
          </tr>
        </thead>
        <tbody>
          {props.nodes.map((n) => (
            <tr data-id={n.id}>
              <td>{n.id}</td>
              <td>{n.kind}</td>
              <td>
                <span class={n.alive ? "badge ok" : "badge off"}>
                  {n.alive ? "alive" : "stale"}
                </span>
              </td>
              <td>{n.version}</td>
              <td class="mono">{n.address}</td>
              <td class="mono">{n.host} / {n.pid}</td>
              <td>
                <time datetime={n.startedAt} title={n.startedAt}>
                  {relativeTime(n.startedAt, props.now)}
                </time>
              </td>
              <td>
                <time datetime={n.heartbeatAt} title={n.heartbeatAt}>
                  {relativeTime(n.heartbeatAt, props.now)}
                </time>
              </td>
              <td>
                <span class="metrics">
                  {Object.entries(n.stats).map(([name, value]) => (
                    <span class="metric">
                      <span class="metric-name">{name}</span> {formatNumber(value)}
                    </span>
                  ))}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.nodes.length === 0 && <p class="muted">No node has sent a heartbeat yet.</p>}
    </Layout>
  );
}
