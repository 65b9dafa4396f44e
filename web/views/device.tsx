/** /devices/:id: the chart (uPlot, static/device.js) and the raw table of recent readings. */
import type { DeviceJson, ReadingJson } from "../shapes.ts";
import { formatNumber, relativeTime } from "./format.ts";
import { Metrics } from "./metrics.tsx";
import { Layout } from "./layout.tsx";

export function DevicePage(
  props: { user: string; device: DeviceJson; readings: ReadingJson[]; now: number },
) {
  const d = props.device;
  const root = "../";
  return (
    <Layout
      root={root}
      title={d.id}
      user={props.user}
      active="devices"
      styles={["uplot.css"]}
      scripts={["uplot.js", "common.js", "device.js"]}
    >
      <p class="crumbs">
        <a href={`${root}devices`}>Devices</a> / {d.id}
      </p>
      <div class="page-head">
        <h1>{d.name}</h1>
        <span class={d.enabled ? "badge ok" : "badge off"}>
          {d.enabled ? "enabled" : "disabled"}
        </span>
      </div>
      <dl class="facts">
        <dt>ID</dt>
        <dd>{d.id}</dd>
        <dt>Last seen</dt>
        <dd>
          {d.lastSeen
            ? (
              <time datetime={d.lastSeen} title={d.lastSeen}>
                {relativeTime(d.lastSeen, props.now)}
              </time>
            )
            : "never"}
        </dd>
        <dt>Last seq</dt>
        <dd>{d.lastSeq ?? "–"}</dd>
        <dt>Comm node</dt>
        <dd>{d.lastNode ?? "–"}</dd>
        <dt>Last reading</dt>
        <dd>
          <Metrics metrics={d.lastMetrics} />
        </dd>
      </dl>
      <section class="card">
        <h2>Chart</h2>
        <div
          id="chart"
          data-readings={`${root}api/devices/${encodeURIComponent(d.id)}/readings?limit=500`}
        >
          {props.readings.length === 0 && <p class="muted">No readings yet.</p>}
        </div>
      </section>
      <section class="card">
        <h2>Recent readings</h2>
        <ReadingsTable readings={props.readings} />
      </section>
    </Layout>
  );
}

export function ReadingsTable(props: { readings: ReadingJson[] }) {
  return (
    <table class="grid" id="readings">
      <thead>
        <tr>
          <th class="num">Seq</th>
          <th>Measured</th>
          <th>Received</th>
          <th>Node</th>
          <th>Metrics</th>
        </tr>
      </thead>
      <tbody>
        {props.readings.map((r) => (
          <tr>
            <td class="num">{r.seq}</td>
            <td>
              <time datetime={r.ts}>{r.ts}</time>
            </td>
            <td>{r.receivedAt}</td>
            <td>{r.node}</td>
            <td class="mono">
              {Object.entries(r.metrics).map(([k, v]) => `${k}=${formatNumber(v)}`).join(" ")}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
