/** /devices: every device with its last reading; static/devices.js keeps it live over SSE. */
import type { DeviceJson } from "../shapes.ts";
import { metricEntries, relativeTime } from "./format.ts";
import { Layout } from "./layout.tsx";

export function Metrics(props: { metrics: Record<string, number> | null }) {
  const { shown, more } = metricEntries(props.metrics);
  if (shown.length === 0) return <span class="muted">no readings yet</span>;
  return (
    <span class="metrics">
      {shown.map(([name, value]) => (
        <span class="metric">
          <span class="metric-name">{name}</span> {value}
        </span>
      ))}
      {more > 0 && <span class="muted">+{more} more</span>}
    </span>
  );
}

export function DeviceRow(props: { device: DeviceJson; now: number; root: string }) {
  const d = props.device;
  return (
    <tr data-id={d.id}>
      <td>
        <a href={`${props.root}devices/${encodeURIComponent(d.id)}`}>{d.id}</a>
      </td>
      <td>{d.name}</td>
      <td>
        <span class={d.enabled ? "badge ok" : "badge off"}>
          {d.enabled ? "enabled" : "disabled"}
        </span>
      </td>
      <td>
        {d.lastSeen
          ? (
            <time datetime={d.lastSeen} title={d.lastSeen}>
              {relativeTime(d.lastSeen, props.now)}
            </time>
          )
          : <span class="muted">never</span>}
      </td>
      <td class="num">{d.lastSeq ?? ""}</td>
      <td>
        <Metrics metrics={d.lastMetrics} />
      </td>
      <td>{d.lastNode ?? ""}</td>
    </tr>
  );
}

export function DevicesPage(props: { user: string; devices: DeviceJson[]; now: number }) {
  const root = "./";
  return (
    <Layout
      root={root}
      title="Devices"
      user={props.user}
      active="devices"
      scripts={["common.js", "devices.js"]}
    >
      <div class="page-head">
        <h1>Devices</h1>
        <span id="live" class="live" data-state="connecting">live</span>
      </div>
      <table class="grid" id="devices" data-stream="api/stream/devices">
        <thead>
          <tr>
            <th>ID</th>
            <th>Name</th>
            <th>State</th>
            <th>Last seen</th>
            <th class="num">Seq</th>
            <th>Last reading</th>
            <th>Comm node</th>
          </tr>
        </thead>
        <tbody>
          {props.devices.map((device) => (
            <DeviceRow key={device.id} device={device} now={props.now} root={root} />
          ))}
        </tbody>
      </table>
      {props.devices.length === 0 && <p class="muted" id="empty">No devices are registered yet.</p>}
    </Layout>
  );
}
