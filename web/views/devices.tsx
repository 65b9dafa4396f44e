/**
 * /devices: one page of the fleet with search, filters, sort and paging (a GET form, so it works
 * without JavaScript); static/devices.js searches as you type and keeps the rows live over SSE.
 */
import type { DeviceRowJson } from "../fleet/mod.ts";
import type { FleetQuery } from "../fleet/query.ts";
import { relativeTime } from "./format.ts";
import type { Role } from "../roles.ts";
import { Layout } from "./layout.tsx";
import { Metrics } from "./metrics.tsx";

export interface DevicesPageProps {
  user: string;
  role: Role;
  canEdit: boolean;
  query: FleetQuery;
  page: { total: number; offset: number; limit: number; devices: DeviceRowJson[] };
  facets: { groups: { name: string; count: number }[]; tags: { name: string; count: number }[] };
  now: number;
}

const STATUS_LABEL: Record<DeviceRowJson["status"], string> = {
  online: "online",
  offline: "offline",
  never: "never seen",
  disabled: "disabled",
};

export function StatusBadge(props: { status: DeviceRowJson["status"] }) {
  return <span class={`badge ${props.status}`}>{STATUS_LABEL[props.status]}</span>;
}

export function DeviceRow(props: { device: DeviceRowJson; now: number; root: string }) {
  const d = props.device;
  return (
    <tr data-id={d.id}>
      <td class="device-cell">
        <a href={`${props.root}devices/${encodeURIComponent(d.id)}`}>{d.id}</a>
        <span class="sub">{d.name}</span>
      </td>
      <td>
        <StatusBadge status={d.status} />
        {d.alerting && <span class="badge alerting">alerting</span>}
      </td>
      <td class="hide-narrow">{d.group ?? <span class="muted">—</span>}</td>
      <td class="hide-narrow">
        {d.tags.map((t) => <span key={t} class="chip">{t}</span>)}
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
      <td class="hide-narrow">
        <Metrics metrics={d.lastMetrics} max={3} />
      </td>
      <td class="hide-narrow mono">{d.lastNode ?? ""}</td>
    </tr>
  );
}

function Select(
  props: { name: string; label: string; value?: string; options: [string, string][] },
) {
  return (
    <label class="field">
      <span>{props.label}</span>
      <select name={props.name}>
        <option value="">any</option>
        {props.options.map(([value, text]) => (
          <option value={value} selected={props.value === value}>{text}</option>
        ))}
      </select>
    </label>
  );
}

/** `devices?…` for this query with some fields changed; empty and default values left out. */
export function listHref(query: FleetQuery, change: Partial<FleetQuery>): string {
  const merged = { ...query, ...change };
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(merged)) {
    if (value === undefined || value === "") continue;
    if ((key === "sort" && value === "id") || (key === "dir" && value === "asc")) continue;
    if ((key === "offset" && value === 0) || (key === "limit" && value === 50)) continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `devices?${text}` : "devices";
}

export function Pager(props: { query: FleetQuery; total: number }) {
  const { offset, limit } = props.query;
  const last = Math.min(offset + limit, props.total);
  return (
    <nav class="pager" id="pager">
      <span class="muted" id="range">
        {props.total === 0
          ? "no devices"
          : `${(offset + 1).toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${
            props.total.toLocaleString("en-US")
          }`}
      </span>
      <a
        class={`button ${offset === 0 ? "disabled" : ""}`}
        id="prev"
        href={listHref(props.query, { offset: Math.max(0, offset - limit) })}
      >
        ‹ Previous
      </a>
      <a
        class={`button ${last >= props.total ? "disabled" : ""}`}
        id="next"
        href={listHref(props.query, { offset: offset + limit })}
      >
        Next ›
      </a>
    </nav>
  );
}

export function DevicesPage(props: DevicesPageProps) {
  const root = "./";
  const { query, page, facets } = props;
  const sortable = (key: FleetQuery["sort"], label: string) => {
    const active = query.sort === key;
    const dir = active && query.dir === "asc" ? "desc" : "asc";
    return (
      <a
        href={listHref(query, { sort: key, dir, offset: 0 })}
        class={active ? `sorted ${query.dir}` : ""}
        data-sort={key}
      >
        {label}
      </a>
    );
  };
  return (
    <Layout
      root={root}
      title="Devices"
      user={props.user}
      role={props.role}
      active="devices"
      scripts={["common.js", "devices.js"]}
    >
      <div class="page-head">
        <h1>Devices</h1>
        <span id="live" class="live" data-state="connecting">live</span>
        {props.canEdit && (
          <a class="button primary push-right" href="#register" id="register-open">
            + Register device
          </a>
        )}
      </div>
      {props.canEdit && <RegisterPanel groups={facets.groups.map((g) => g.name)} />}
      <form class="toolbar" id="filters" method="get" action="devices">
        <label class="field grow">
          <span>Search</span>
          <input
            type="search"
            name="q"
            value={query.q ?? ""}
            placeholder="id, name, group or tag"
            autocomplete="off"
            maxlength={100}
          />
        </label>
        <Select
          name="status"
          label="Status"
          value={query.status}
          options={[["online", "online"], ["offline", "offline"], ["never", "never seen"], [
            "disabled",
            "disabled",
          ]]}
        />
        <Select
          name="group"
          label="Group"
          value={query.group}
          options={facets.groups.map((g) => [g.name, `${g.name} (${g.count})`])}
        />
        <Select
          name="tag"
          label="Tag"
          value={query.tag}
          options={facets.tags.map((t) => [t.name, `${t.name} (${t.count})`])}
        />
        <Select
          name="alerting"
          label="Alerts"
          value={query.alerting}
          options={[["true", "alerting"], ["false", "not alerting"]]}
        />
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <button type="submit" class="button" id="apply">Apply</button>
      </form>
      <div class="card flush">
        <table class="grid" id="devices" data-stream="api/stream/devices">
          <thead>
            <tr>
              <th>{sortable("id", "Device")}</th>
              <th>{sortable("status", "Status")}</th>
              <th class="hide-narrow">Group</th>
              <th class="hide-narrow">Tags</th>
              <th>{sortable("seen", "Last seen")}</th>
              <th class="hide-narrow">Last values</th>
              <th class="hide-narrow">Node</th>
            </tr>
          </thead>
          <tbody>
            {page.devices.map((device) => (
              <DeviceRow
                device={device}
                now={props.now}
                root={root}
              />
            ))}
          </tbody>
        </table>
        <p class="empty muted" id="empty" hidden={page.devices.length > 0}>
          {page.total === 0 && !query.q && !query.status && !query.group && !query.tag &&
              !query.alerting
            ? "No devices are registered yet."
            : "No device matches these filters."}
        </p>
      </div>
      <Pager query={query} total={page.total} />
    </Layout>
  );
}

function RegisterPanel(props: { groups: string[] }) {
  return (
    <section class="card register" id="register" hidden>
      <h2>Register a device</h2>
      <form id="register-form" class="form-grid">
        <label class="field">
          <span>ID</span>
          <input
            name="id"
            required
            pattern="[A-Za-z0-9._:\-]{1,64}"
            maxlength={64}
            placeholder="pump-17"
          />
        </label>
        <label class="field">
          <span>Name</span>
          <input name="name" maxlength={100} placeholder="Feed pump, hall 3" />
        </label>
        <label class="field">
          <span>Group</span>
          <input name="group" maxlength={64} list="group-names" />
          <datalist id="group-names">
            {props.groups.map((g) => <option key={g} value={g} />)}
          </datalist>
        </label>
        <label class="field">
          <span>Tags (comma separated)</span>
          <input name="tags" maxlength={400} placeholder="pump, critical" />
        </label>
        <div class="actions">
          <button type="submit" class="button primary">Register</button>
          <button type="button" class="button" id="register-cancel">Cancel</button>
        </div>
      </form>
      <p class="error" id="register-error" hidden></p>
      <div class="token-box" id="register-result" hidden>
        <p>
          <strong>Device registered.</strong>{" "}
          Its token is shown this once; put it on the device now:
        </p>
        <code class="mono" id="register-token"></code>
      </div>
    </section>
  );
}
