/** /overview, the landing page: the fleet at a glance; static/overview.js keeps it live over SSE. */
import type { OverviewJson } from "../fleet/mod.ts";
import { formatNumber } from "./format.ts";
import type { Role } from "../roles.ts";
import { Layout } from "./layout.tsx";

function Stat(
  props: { field: string; label: string; value: string; tone?: string; href?: string },
) {
  const body = (
    <>
      <span class="stat-value" data-field={props.field}>{props.value}</span>
      <span class="stat-label">{props.label}</span>
    </>
  );
  return (
    <div class={`stat ${props.tone ?? ""}`}>
      {props.href ? <a href={props.href}>{body}</a> : body}
    </div>
  );
}

const rate = (perSecond: number) => `${formatNumber(Number(perSecond.toFixed(1)))}/s`;
const count = (n: number) => n.toLocaleString("en-US");

export function OverviewPage(props: { user: string; role: Role; overview: OverviewJson }) {
  const o = props.overview;
  const d = o.devices;
  const nacks = Object.entries(o.nacksToday).sort((a, b) => b[1] - a[1]);
  return (
    <Layout
      root="./"
      title="Overview"
      user={props.user}
      role={props.role}
      active="overview"
      scripts={["common.js", "overview.js"]}
    >
      <div class="page-head">
        <h1>Fleet overview</h1>
        <span id="live" class="live" data-state="connecting">live</span>
      </div>
      <section class="stats" id="overview" data-stream="api/stream/overview">
        <Stat
          field="online"
          label="online"
          value={count(d.online)}
          tone="ok"
          href="devices?status=online"
        />
        <Stat
          field="offline"
          label="offline"
          value={count(d.offline)}
          tone={d.offline > 0 ? "bad" : ""}
          href="devices?status=offline"
        />
        <Stat
          field="never"
          label="never seen"
          value={count(d.never)}
          tone="dim"
          href="devices?status=never"
        />
        <Stat
          field="alertsFiring"
          label="alerts firing"
          value={count(o.alertsFiring)}
          tone={o.alertsFiring > 0 ? "bad" : ""}
          href="devices?alerting=true"
        />
        <Stat
          field="readingsPerSecond"
          label="readings ingested"
          value={rate(o.readingsPerSecond)}
        />
        <Stat field="readingsToday" label="readings today (UTC)" value={count(o.readingsToday)} />
      </section>
      <div class="columns">
        <section class="card">
          <h2>Devices by group</h2>
          <table class="grid compact" id="groups">
            <thead>
              <tr>
                <th>Group</th>
                <th class="num">Devices</th>
                <th class="num">Online</th>
                <th class="num hide-narrow">Offline</th>
                <th class="bar-col">Availability</th>
              </tr>
            </thead>
            <tbody>
              {d.groups.map((g) => <GroupRow key={g.name ?? ""} group={g} />)}
            </tbody>
          </table>
          {d.groups.length === 0 && <p class="muted">No devices are registered yet.</p>}
        </section>
        <section class="card">
          <h2>Refused readings today</h2>
          <table class="grid compact" id="nacks">
            <thead>
              <tr>
                <th>Code</th>
                <th class="num">Count</th>
              </tr>
            </thead>
            <tbody>
              {nacks.map(([code, n]) => (
                <tr data-id={code}>
                  <td class="mono">{code}</td>
                  <td class="num">{count(n)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="muted" id="nacks-empty" hidden={nacks.length > 0}>None today.</p>
          <p class="muted small">
            <span data-field="total">{count(d.total)}</span> devices registered,{" "}
            <span data-field="disabled">{count(d.disabled)}</span> disabled;{" "}
            <span data-field="commNodes">{o.commNodes.alive}/{o.commNodes.total}</span>{" "}
            comm nodes up.
          </p>
        </section>
      </div>
    </Layout>
  );
}

export function GroupRow(props: { group: OverviewJson["devices"]["groups"][number] }) {
  const g = props.group;
  const share = g.total === 0 ? 0 : Math.round((g.online / g.total) * 100);
  const href = g.name === null ? "devices" : `devices?group=${encodeURIComponent(g.name)}`;
  return (
    <tr data-id={g.name ?? ""}>
      <td>
        <a href={href}>{g.name ?? "(no group)"}</a>
      </td>
      <td class="num">{count(g.total)}</td>
      <td class="num">{count(g.online)}</td>
      <td class="num hide-narrow">{count(g.offline)}</td>
      <td class="bar-col">
        <span class="bar" title={`${share} % online`}>
          <span class={`bar-fill w${Math.round(share / 5) * 5}`}></span>
        </span>
      </td>
    </tr>
  );
}
