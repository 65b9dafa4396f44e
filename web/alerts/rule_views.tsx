/** The rule list and the rule form (new and edit). */
import { Layout } from "../views/layout.tsx";
import { describeRule } from "./describe.ts";
import type { FormFields } from "./form.ts";
import { type AlertRule, COMPARISONS, SEVERITIES } from "./model.ts";

export function SeverityBadge(props: { severity: string }) {
  return <span class={`badge sev-${props.severity}`}>{props.severity}</span>;
}

export function RulesPage(props: { user: string; rules: AlertRule[]; canEdit: boolean }) {
  const root = "../";
  return (
    <Layout
      root={root}
      title="Alert rules"
      user={props.user}
      active="alerts"
      styles={["alerts.css"]}
    >
      <p class="crumbs">
        <a href={`${root}alerts`}>Alerts</a> / Rules
      </p>
      <div class="page-head">
        <h1>Alert rules</h1>
        {props.canEdit && <a class="button" href="rules/new">New rule</a>}
      </div>
      {props.rules.length === 0
        ? (
          <p class="muted card">
            No rules yet. A rule watches a metric of a device, a group or every device.
          </p>
        )
        : (
          <div class="table-wrap">
            <table class="grid stackable" id="rules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Condition</th>
                  <th>Severity</th>
                  <th>State</th>
                  <th>Notifies</th>
                </tr>
              </thead>
              <tbody>
                {props.rules.map((rule) => (
                  <tr data-id={rule._id}>
                    <td data-label="Name">
                      <a href={`rules/${encodeURIComponent(rule._id)}`}>{rule.name}</a>
                    </td>
                    <td data-label="Condition">{describeRule(rule)}</td>
                    <td data-label="Severity">
                      <SeverityBadge severity={rule.severity} />
                    </td>
                    <td data-label="State">
                      <span class={rule.enabled ? "badge ok" : "badge off"}>
                        {rule.enabled ? "enabled" : "disabled"}
                      </span>
                    </td>
                    <td data-label="Notifies">{notifies(rule)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </Layout>
  );
}

function notifies(rule: AlertRule): string {
  const parts = [
    rule.webhooks.length > 0 &&
    `${rule.webhooks.length} webhook${rule.webhooks.length > 1 ? "s" : ""}`,
    rule.emails.length > 0 && rule.emails.join(", "),
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(" · ") : "nobody";
}

export interface RuleFormProps {
  user: string;
  /** Undefined for a new rule. */
  rule?: AlertRule;
  fields: FormFields;
  errors: { path: string; message: string }[];
  canEdit: boolean;
}

function Select(
  props: { name: string; value: string; options: readonly (string | [string, string])[] },
) {
  return (
    <select name={props.name} id={`f-${props.name}`}>
      {props.options.map((o) => {
        const [value, text] = typeof o === "string" ? [o, o] : o;
        return <option key={value} value={value} selected={value === props.value}>{text}</option>;
      })}
    </select>
  );
}

export function RuleFormPage(props: RuleFormProps) {
  const root = "../../";
  const f = props.fields;
  const title = props.rule ? `Rule: ${props.rule.name}` : "New alert rule";
  const disabled = !props.canEdit;
  return (
    <Layout
      root={root}
      title={title}
      user={props.user}
      active="alerts"
      styles={["alerts.css"]}
      scripts={["alerts.js"]}
    >
      <p class="crumbs">
        <a href={`${root}alerts`}>Alerts</a> / <a href={`${root}alerts/rules`}>Rules</a> /{" "}
        {props.rule ? props.rule.name : "New"}
      </p>
      <h1>{title}</h1>
      {props.errors.length > 0 && (
        <div class="error" role="alert" id="form-errors">
          <strong>The rule was not saved:</strong>
          <ul>
            {props.errors.map((e, i) => (
              <li key={i}>{e.path ? `${e.path}: ${e.message}` : e.message}</li>
            ))}
          </ul>
        </div>
      )}
      <form method="post" class="card rule-form" id="rule-form">
        <fieldset disabled={disabled}>
          <div class="row">
            <label class="grow">
              Name
              <input
                name="name"
                value={f.name}
                required
                maxlength={100}
                placeholder="Boiler too hot"
              />
            </label>
            <label>
              Severity
              <Select name="severity" value={f.severity} options={SEVERITIES} />
            </label>
            <label class="check">
              <input type="checkbox" name="enabled" checked={f.enabled === "on"} /> Enabled
            </label>
          </div>
          <div class="row">
            <label>
              Applies to
              <Select
                name="scope"
                value={f.scope}
                options={[["all", "all devices"], ["group", "a group"], ["device", "one device"]]}
              />
            </label>
            <label class="grow" data-show="scope:group,device">
              Group or device id
              <input name="target" value={f.target} maxlength={64} />
            </label>
          </div>
          <div class="row">
            <label>
              When
              <Select
                name="kind"
                value={f.kind}
                options={[
                  ["threshold", "a metric crosses a threshold"],
                  ["rate", "a metric changes too fast"],
                  ["offline", "the device goes silent"],
                  ["no_data", "a metric stops arriving"],
                ]}
              />
            </label>
            <label data-show="kind:threshold,rate,no_data">
              Metric
              <input name="metric" value={f.metric} maxlength={64} placeholder="temp_c" />
            </label>
            <label data-show="kind:threshold,rate">
              Is
              <Select name="op" value={f.op} options={COMPARISONS} />
            </label>
            <label data-show="kind:threshold,rate">
              Value <span class="hint" data-show="kind:rate">per second</span>
              <input name="value" value={f.value} inputmode="decimal" />
            </label>
            <label data-show="kind:threshold">
              Resolves past <span class="hint">(optional)</span>
              <input name="clear" value={f.clear} inputmode="decimal" />
            </label>
            <label data-show="kind:offline,no_data">
              Silent for (s)
              <input name="window" value={f.window} inputmode="numeric" />
            </label>
            <label>
              For (s)
              <input name="for" value={f.for} inputmode="numeric" />
            </label>
          </div>
          <div class="row">
            <label class="grow">
              Webhooks <span class="hint">one URL a line; signed with HMAC-SHA256</span>
              <textarea name="webhooks" rows={2}>{f.webhooks}</textarea>
            </label>
            <label class="grow">
              E-mail to <span class="hint">one address a line</span>
              <textarea name="emails" rows={2}>{f.emails}</textarea>
            </label>
          </div>
          {props.rule && props.canEdit && (
            <p class="muted">
              Webhook signing secret:{" "}
              <code class="mono" id="secret">{props.rule.webhookSecret}</code>
            </p>
          )}
          <div class="actions">
            <button type="submit">{props.rule ? "Save rule" : "Create rule"}</button>
            <a href={`${root}alerts/rules`}>Cancel</a>
          </div>
        </fieldset>
      </form>
      {props.rule && props.canEdit && (
        <form method="post" action={`${encodeURIComponent(props.rule._id)}/delete`} class="danger">
          <button type="submit" class="danger">Delete rule</button>
          <span class="muted">Its firing alerts resolve; its history stays.</span>
        </form>
      )}
    </Layout>
  );
}
