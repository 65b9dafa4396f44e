/**
 * /devices/:id: the device's status and settings, its alerts and connection history, and charts
 * of any time range (static/device.js reads `api/devices/:id/series`, the data layer's ranged,
 * downsampled API, one request at a time), with an export of the shown range.
 */
import type { ConnectionEvent } from "@fleetmon/shared/db";
import type { ActiveAlert } from "../alerts/mod.ts";
import type { DeviceRowJson } from "../fleet/mod.ts";
import type { Role } from "../roles.ts";
import { relativeTime } from "./format.ts";
import { Layout } from "./layout.tsx";
import { Metrics } from "./metrics.tsx";
import { StatusBadge } from "./devices.tsx";

export interface DevicePageProps {
  user: string;
  role: Role;
  canEdit: boolean;
  device: DeviceRowJson;
  alerts: ActiveAlert[];
  connections: ConnectionEvent[];
  now: number;
}

/** The range picker's choices: [label, milliseconds]. */
export const RANGES: [string, number][] = [
  ["15m", 15 * 60_000],
  ["1h", 3_600_000],
  ["6h", 6 * 3_600_000],
  ["24h", 24 * 3_600_000],
  ["7d", 7 * 86_400_000],
  ["30d", 30 * 86_400_000],
  ["90d", 90 * 86_400_000],
];

function Time(props: { iso: string | null; now: number }) {
  if (!props.iso) return <span class="muted">never</span>;
  return <time datetime={props.iso} title={props.iso}>{relativeTime(props.iso, props.now)}</time>;
}

export function DevicePage(props: DevicePageProps) {
  const d = props.device;
  const root = "../";
  const api = `${root}api/devices/${encodeURIComponent(d.id)}`;
  return (
    <Layout
      root={root}
      title={d.id}
      user={props.user}
      role={props.role}
      active="devices"
      styles={["uplot.css"]}
      scripts={["uplot.js", "common.js", "device.js"]}
    >
      <p class="crumbs">
        <a href={`${root}devices`}>Devices</a> / {d.id}
      </p>
      <div class="page-head">
        <h1>{d.name}</h1>
        <StatusBadge status={d.status} />
        {d.alerting && <span class="badge alerting">alerting</span>}
      </div>
      <div class="two-col">
        <section class="card">
          <h2>Last values</h2>
          <Metrics metrics={d.lastMetrics} max={20} />
        </section>
        <section class="card">
          <h2>Device</h2>
          <dl class="facts" id="facts">
            <dt>ID</dt>
            <dd class="mono">{d.id}</dd>
            <dt>Last seen</dt>
            <dd>
              <Time iso={d.lastSeen} now={props.now} />
              {d.lastNode && <span class="muted">{` via ${d.lastNode}`}</span>}
            </dd>
            <dt>Group</dt>
            <dd data-field="group">{d.group ?? <span class="muted">none</span>}</dd>
            <dt>Tags</dt>
            <dd data-field="tags">
              {d.tags.length === 0 && <span class="muted">none</span>}
              {d.tags.map((t) => <span key={t} class="chip">{t}</span>)}
            </dd>
          </dl>
          {props.canEdit && <EditForm device={d} />}
        </section>
      </div>
      <section class="card" id="charts-card" data-api={api}>
        <div class="page-head">
          <h2>Metrics</h2>
          <div class="ranges" id="ranges" role="group" aria-label="Time range">
            {RANGES.map(([label, ms]) => (
              <button
                key={label}
                type="button"
                data-range={String(ms)}
                aria-pressed={label === "1h" ? "true" : "false"}
              >
                {label}
              </button>
            ))}
            <button type="button" data-range="custom" aria-pressed="false">Custom</button>
          </div>
          <span class="push-right inline">
            <a class="button small" id="export-csv" href={`${api}/export?format=csv`}>Export CSV</a>
            <a class="button small" id="export-ndjson" href={`${api}/export?format=ndjson`}>
              Export NDJSON
            </a>
          </span>
        </div>
        <form class="custom-range" id="custom-range" hidden>
          <label class="field">
            <span>From</span>
            <input type="datetime-local" name="from" required />
          </label>
          <label class="field">
            <span>To</span>
            <input type="datetime-local" name="to" required />
          </label>
          <button type="submit" class="button primary">Show</button>
        </form>
        <p class="muted status-line" id="series-status">Loading…</p>
        <div class="chart-groups" id="charts"></div>
      </section>
      <div class="two-col">
        <section class="card">
          <h2>Alerts on this device</h2>
          <AlertsTable alerts={props.alerts} now={props.now} root={root} />
        </section>
        <section class="card">
          <h2>Connection history</h2>
          <ConnectionsTable events={props.connections} now={props.now} />
        </section>
      </div>
    </Layout>
  );
}

function AlertsTable(props: { alerts: ActiveAlert[]; now: number; root: string }) {
  if (props.alerts.length === 0) {
    return <p class="muted" id="device-alerts">No alert is pending or firing.</p>;
  }
  return (
    <table class="grid compact" id="device-alerts">
      <thead>
        <tr>
          <th>Rule</th>
          <th>State</th>
          <th>Since</th>
          <th class="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {props.alerts.map((a) => (
          <tr key={a.rule} data-id={a.rule}>
            <td>
              <a href={`${props.root}alerts`}>{a.ruleName}</a>{" "}
              <span class={`badge ${a.severity}`}>{a.severity}</span>
            </td>
            <td>
              <span class={`badge ${a.state}`}>{a.state}</span>
            </td>
            <td>
              <Time iso={a.since.toISOString()} now={props.now} />
            </td>
            <td class="num">{a.valueText}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ConnectionsTable(props: { events: ConnectionEvent[]; now: number }) {
  if (props.events.length === 0) {
    return <p class="muted" id="connections">No connection recorded yet.</p>;
  }
  return (
    <table class="grid compact" id="connections">
      <thead>
        <tr>
          <th>Event</th>
          <th>Node</th>
          <th>When</th>
          <th class="hide-narrow">Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((e) => (
          <tr key={`${e.at.getTime()}${e.kind}`}>
            <td>
              <span class={`badge ${e.kind === "connect" ? "ok" : ""}`}>
                {e.kind === "connect" ? "connected" : "disconnected"}
              </span>
            </td>
            <td class="mono">{e.node}</td>
            <td>
              <Time iso={e.at.toISOString()} now={props.now} />
            </td>
            <td class="hide-narrow mono">{e.reason ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function EditForm(props: { device: DeviceRowJson }) {
  const d = props.device;
  return (
    <details class="edit">
      <summary class="button small secondary">Edit name, group and tags</summary>
      <form
        id="edit-form"
        class="form-grid"
        data-api={`../api/devices/${encodeURIComponent(d.id)}`}
      >
        <label class="field">
          <span>Name</span>
          <input name="name" value={d.name} maxlength={100} required />
        </label>
        <label class="field">
          <span>Group</span>
          <input name="group" value={d.group ?? ""} maxlength={64} />
        </label>
        <label class="field">
          <span>Tags (comma separated)</span>
          <input name="tags" value={d.tags.join(", ")} maxlength={400} />
        </label>
        <div class="actions">
          <button type="submit" class="button primary">Save</button>
        </div>
      </form>
      <p class="error" id="edit-error" hidden></p>
    </details>
  );
}
