/** The admin pages: users, API tokens, the audit log. Forms post to relative URLs. */
import type { AuditJson } from "./audit.ts";
import type { ApiTokenJson } from "./tokens.ts";
import type { UserJson } from "./users.ts";
import { ROLES } from "../roles.ts";
import { relativeTime } from "../views/format.ts";
import { Layout } from "../views/layout.tsx";

interface Common {
  user: string;
  now: number;
  error?: string;
}

/** Past times relative ("3 min ago"), future ones as a date ("2027-03-01"). */
const When = (props: { at: string | null; now: number }) =>
  props.at
    ? (
      <time datetime={props.at} title={props.at}>
        {Date.parse(props.at) > props.now
          ? props.at.slice(0, 10)
          : relativeTime(props.at, props.now)}
      </time>
    )
    : <span class="muted">never</span>;

const describeValue = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value.length === 0 ? "none" : value.map(describeValue).join(", ");
  }
  if (value === null) return "none";
  return JSON.stringify(value);
};

/**
 * `{"role":"viewer"}` as `role: viewer` and a change `{"name":{"from":"a","to":"b"}}` as
 * `name: a → b`, for the audit table.
 */
export const describeDetail = (detail: Record<string, unknown> | undefined) =>
  Object.entries(detail ?? {}).map(([key, value]) => {
    if (value && typeof value === "object" && "from" in value && "to" in value) {
      return `${key}: ${describeValue(value.from)} → ${describeValue(value.to)}`;
    }
    return `${key}: ${describeValue(value)}`;
  }).join(" · ");

const RoleSelect = (props: { value?: string }) => (
  <select name="role" aria-label="role">
    {ROLES.map((role) => (
      <option key={role} value={role} selected={role === props.value}>{role}</option>
    ))}
  </select>
);

export function UsersPage(props: Common & { users: UserJson[] }) {
  return (
    <Layout root="./" title="Users" user={props.user} role="admin" active="users">
      <div class="page-head">
        <h1>Users</h1>
        <span class="muted">{props.users.length} users</span>
      </div>
      {props.error && <p class="error" role="alert">{props.error}</p>}
      <div class="table-wrap">
        <table class="grid stackable" id="users">
          <thead>
            <tr>
              <th>User</th>
              <th>Role</th>
              <th>State</th>
              <th>Created</th>
              <th>Reset password</th>
            </tr>
          </thead>
          <tbody>
            {props.users.map((u) => (
              <tr data-user={u.username}>
                <td data-label="User">{u.username}</td>
                <td data-label="Role">
                  <form method="post" action={`users/${u.username}`} class="inline">
                    <input type="hidden" name="action" value="role" />
                    <RoleSelect value={u.role} />
                    <button type="submit">Save</button>
                  </form>
                </td>
                <td data-label="State">
                  <form method="post" action={`users/${u.username}`} class="inline">
                    <span class={u.disabled ? "badge off" : "badge ok"}>
                      {u.disabled ? "disabled" : "active"}
                    </span>
                    <input type="hidden" name="action" value={u.disabled ? "enable" : "disable"} />
                    <button
                      type="submit"
                      class={u.disabled ? "button small" : "button danger small"}
                    >
                      {u.disabled ? "Enable" : "Disable"}
                    </button>
                  </form>
                </td>
                <td data-label="Created">
                  <When at={u.createdAt} now={props.now} />
                </td>
                <td data-label="Reset password">
                  <form method="post" action={`users/${u.username}`} class="inline">
                    <input type="hidden" name="action" value="password" />
                    <input
                      name="password"
                      type="password"
                      autocomplete="new-password"
                      minlength={10}
                      required
                      aria-label={`new password for ${u.username}`}
                    />
                    <button type="submit">Reset</button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card">
        <h2>Add a user</h2>
        <form method="post" action="users" class="stack" id="add-user">
          <label>
            Username <input name="username" required maxlength={64} autocomplete="off" />
          </label>
          <label>
            Password{" "}
            <input
              name="password"
              type="password"
              required
              minlength={10}
              autocomplete="new-password"
            />
          </label>
          <label>
            Role <RoleSelect value="viewer" />
          </label>
          <button type="submit">Add user</button>
        </form>
      </section>
    </Layout>
  );
}

export function TokensPage(
  props: Common & { tokens: ApiTokenJson[]; created?: { token: string; name: string } },
) {
  return (
    <Layout root="./" title="API tokens" user={props.user} role="admin" active="tokens">
      <div class="page-head">
        <h1>API tokens</h1>
        <span class="muted">for scripts: Authorization: Bearer …</span>
      </div>
      {props.error && <p class="error" role="alert">{props.error}</p>}
      {props.created && (
        <section class="token-box card" id="new-token">
          <h2>Token “{props.created.name}” made</h2>
          <p>Copy it now: it is shown only this once.</p>
          <code class="mono">{props.created.token}</code>
        </section>
      )}
      <div class="table-wrap">
        <table class="grid stackable" id="tokens">
          <thead>
            <tr>
              <th>Name</th>
              <th>Id</th>
              <th>Owner</th>
              <th>Role</th>
              <th>Expires</th>
              <th>Last used</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.map((t) => (
              <tr data-token={t.id}>
                <td data-label="Name">{t.name}</td>
                <td data-label="Id" class="mono">{t.id}</td>
                <td data-label="Owner">{t.user}</td>
                <td data-label="Role">{t.role}</td>
                <td data-label="Expires">
                  <When at={t.expiresAt} now={props.now} />
                </td>
                <td data-label="Last used">
                  <When at={t.lastUsedAt} now={props.now} />
                </td>
                <td>
                  {t.revokedAt
                    ? <span class="badge off">revoked</span>
                    : (
                      <form method="post" action={`tokens/${t.id}/revoke`} class="inline">
                        <button type="submit" class="button danger small">Revoke</button>
                      </form>
                    )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card">
        <h2>Make a token</h2>
        <form method="post" action="tokens" class="stack" id="add-token">
          <label>
            Name <input name="name" required maxlength={64} placeholder="nightly export" />
          </label>
          <label>
            Role <RoleSelect value="viewer" />
          </label>
          <label>
            Valid for (days) <input name="days" type="number" min={1} max={366} value="90" />
          </label>
          <button type="submit">Make token</button>
        </form>
      </section>
    </Layout>
  );
}

export function AuditPage(props: Common & { entries: AuditJson[] }) {
  return (
    <Layout root="./" title="Audit log" user={props.user} role="admin" active="audit">
      <div class="page-head">
        <h1>Audit log</h1>
        <span class="muted">newest {props.entries.length} changes</span>
      </div>
      <div class="table-wrap">
        <table class="grid stackable" id="audit">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Target</th>
              <th>Detail</th>
              <th>From</th>
            </tr>
          </thead>
          <tbody>
            {props.entries.map((e) => (
              <tr>
                <td data-label="When">
                  <When at={e.at} now={props.now} />
                </td>
                <td data-label="Who">
                  {e.actor}
                  {e.via !== "session" && (
                    <span class="muted">({e.via}{e.tokenId ? ` ${e.tokenId}` : ""})</span>
                  )}
                </td>
                <td data-label="What" class="mono">{e.action}</td>
                <td data-label="Target" class="mono">{e.target}</td>
                <td data-label="Detail" class="small">{describeDetail(e.detail)}</td>
                <td data-label="From" class="mono">
                  {[e.client, e.node].filter(Boolean).join(" via ")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}
