/** /alerts: what fires now, silences, recent history and the delivery log. */
import { Layout } from "../views/layout.tsx";
import { formatNumber, relativeTime } from "../views/format.ts";
import type { Silence } from "./model.ts";
import { SeverityBadge } from "./rule_views.tsx";
import type { ActiveAlert, AlertEventDoc, DeliveryDoc } from "./store.ts";

export interface AlertsPageProps {
  user: string;
  now: number;
  canEdit: boolean;
  active: ActiveAlert[];
  silences: Silence[];
  history: AlertEventDoc[];
  deliveries: DeliveryDoc[];
}

const ago = (date: Date, now: number) => (
  <time datetime={date.toISOString()} title={date.toISOString()}>
    {relativeTime(date.toISOString(), now)}
  </time>
);
const deviceLink = (id: string) => <a href={`devices/${encodeURIComponent(id)}`}>{id}</a>;

export function AlertsPage(props: AlertsPageProps) {
  const { now } = props;
  const firing = props.active.filter((a) => a.state === "firing").length;
  return (
    <Layout
      root="./"
      title="Alerts"
      user={props.user}
      active="alerts"
      styles={["alerts.css"]}
      scripts={["alerts.js"]}
    >
      <div class="page-head">
        <h1>Alerts</h1>
        <span class={firing > 0 ? "badge sev-critical" : "badge ok"} id="firing-count">
          {firing} firing
        </span>
        <span class="spacer"></span>
        <a class="button secondary" href="alerts/rules">Rules</a>
        {props.canEdit && <a class="button" href="alerts/rules/new">New rule</a>}
      </div>
      <section class="card" id="active" data-refresh="5000">
        <h2>Firing and pending</h2>
        {props.active.length === 0
          ? <p class="muted" id="all-clear">All clear: nothing is firing.</p>
          : (
            <table class="grid stackable" id="active-alerts">
              <thead>
                <tr>
                  <th>Severity</th>
                  <th>Rule</th>
                  <th>Device</th>
                  <th>State</th>
                  <th>Since</th>
                  <th class="num">Value</th>
                  {props.canEdit && <th></th>}
                </tr>
              </thead>
              <tbody>
                {props.active.map((a) => (
                  <tr data-rule={a.rule} data-device={a.device} class={a.state}>
                    <td data-label="Severity">
                      <SeverityBadge severity={a.severity} />
                    </td>
                    <td data-label="Rule">
                      <a href={`alerts/rules/${encodeURIComponent(a.rule)}`}>{a.ruleName}</a>
                    </td>
                    <td data-label="Device">{deviceLink(a.device)}</td>
                    <td data-label="State">
                      <span class={`badge state-${a.state}`}>{a.state}</span>
                    </td>
                    <td data-label="Since">{ago(a.since, now)}</td>
                    <td data-label="Value" class="num">
                      {a.valueText}
                    </td>
                    {props.canEdit && (
                      <td>
                        <form method="post" action="alerts/silences" class="inline">
                          <input type="hidden" name="rule" value={a.rule} />
                          <input type="hidden" name="device" value={a.device} />
                          <input type="hidden" name="hours" value="1" />
                          <button type="submit" class="small secondary">Silence 1 h</button>
                        </form>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
      {
        <section class="card" id="silences" hidden={props.silences.length === 0}>
          <h2>Silences</h2>
          <ul class="plain">
            {props.silences.map((s) => (
              <li>
                {s.rule ? `rule ${s.rule}` : "every rule"} on{" "}
                {s.device ? s.device : "every device"}, until{" "}
                <time datetime={s.endsAt.toISOString()}>
                  {s.endsAt.toISOString().slice(0, 16).replace("T", " ")} UTC
                </time>{" "}
                <span class="muted">by {s.createdBy}{s.comment ? `: ${s.comment}` : ""}</span>
                {props.canEdit && (
                  <form
                    method="post"
                    action={`alerts/silences/${encodeURIComponent(s._id)}/end`}
                    class="inline"
                  >
                    <button type="submit" class="small secondary">End</button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        </section>
      }
      <div class="two-col">
        <section class="card" id="history">
          <h2>History</h2>
          {props.history.length === 0
            ? <p class="muted">No alert has fired yet.</p>
            : (
              <table class="grid compact">
                <tbody>
                  {props.history.map((e) => (
                    <tr>
                      <td>{ago(e.at, now)}</td>
                      <td>
                        <span class={`badge ${e.event === "firing" ? "state-firing" : "ok"}`}>
                          {e.event}
                        </span>
                      </td>
                      <td>
                        {e.ruleName} on {deviceLink(e.device)}
                        {e.value !== undefined && (
                          <span class="muted sep">· {e.valueText ?? formatNumber(e.value)}</span>
                        )}
                        {e.silenced && <span class="muted sep">(silenced)</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
        <section class="card" id="deliveries">
          <h2>Notifications sent</h2>
          {props.deliveries.length === 0
            ? <p class="muted">None yet.</p>
            : (
              <table class="grid compact">
                <tbody>
                  {props.deliveries.map((d) => (
                    <tr>
                      <td>{ago(d.at, now)}</td>
                      <td>
                        <span class={d.ok ? "badge ok" : "badge off"}>
                          {d.ok ? "sent" : d.final ? "gave up" : "retrying"}
                        </span>
                      </td>
                      <td class="wrap">
                        {d.channel} to <span class="mono">{d.target}</span>
                        <span class="muted sep">· try {d.attempt} · {d.detail}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      </div>
    </Layout>
  );
}
