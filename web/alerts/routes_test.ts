import assert from "node:assert/strict";
import { createUser } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, assertRelativeLocation, ORIGIN, seedUser, testApp, USER } from "../_testing.ts";
import { auditCollection } from "../access/audit.ts";
import { alertCollections } from "./store.ts";

const VIEWER = { username: "vera", password: "viewer horse" };
const OPERATOR = { username: "otto", password: "operator horse" };
const RULE = {
  name: "Boiler too hot",
  severity: "critical",
  scope: { kind: "group", group: "plant-a" },
  condition: { kind: "threshold", metric: "temp_c", op: ">", value: 90, clear: 85 },
  forMs: 30_000,
  webhooks: ["https://hooks.example.com/fleet"],
  emails: ["ops@example.com"],
};

async function setUp() {
  const t = await openTestDatabase();
  await seedUser(t.db);
  await createUser(t.db, { ...VIEWER, role: "viewer" });
  await createUser(t.db, { ...OPERATOR, role: "operator" });
  const app = testApp(t.db);
  const cookies = {
    admin: await apiLogin(app, USER),
    viewer: await apiLogin(app, VIEWER),
    operator: await apiLogin(app, OPERATOR),
  };
  const call = (who: keyof typeof cookies, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: { cookie: cookies[who], "content-type": "application/json", origin: ORIGIN },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const form = (who: keyof typeof cookies, path: string, fields: Record<string, string>) =>
    app.request(path, {
      method: "POST",
      headers: {
        cookie: cookies[who],
        "content-type": "application/x-www-form-urlencoded",
        origin: ORIGIN,
      },
      body: new URLSearchParams(fields).toString(),
    });
  return { t, app, call, form, [Symbol.asyncDispose]: () => t[Symbol.asyncDispose]() };
}

Deno.test("an operator creates, changes and deletes a rule through the API; a viewer only reads", async () => {
  await using s = await setUp();
  const created = await s.call("operator", "POST", "/api/alerts/rules", RULE);
  assert.equal(created.status, 201, await created.clone().text());
  const rule = await created.json();
  assert.equal(rule.summary, "temp_c > 90 (resolves past 85) for 30 s on group plant-a");
  assert.match(rule.webhookSecret, /^whsec_/);

  assert.equal((await s.call("viewer", "POST", "/api/alerts/rules", RULE)).status, 403);
  assert.equal((await s.call("viewer", "DELETE", `/api/alerts/rules/${rule.id}`)).status, 403);
  const listed = await (await s.call("viewer", "GET", "/api/alerts/rules")).json();
  assert.deepEqual(listed.rules.map((r: { name: string }) => r.name), ["Boiler too hot"]);
  const seen = await (await s.call("viewer", "GET", `/api/alerts/rules/${rule.id}`)).json();
  assert.equal(seen.webhookSecret, undefined, "viewers never see the signing secret");

  const changed = await s.call("operator", "PUT", `/api/alerts/rules/${rule.id}`, {
    ...RULE,
    enabled: false,
  });
  assert.equal(changed.status, 200);
  assert.equal((await changed.json()).webhookSecret, rule.webhookSecret, "the secret stays");
  assert.equal((await s.call("admin", "DELETE", `/api/alerts/rules/${rule.id}`)).status, 204);
  assert.equal((await s.call("admin", "GET", `/api/alerts/rules/${rule.id}`)).status, 404);
  const audit = await auditCollection(s.t.db).find({}).sort({ _id: 1 }).toArray();
  const alertAudit = audit.filter((a) => a.action.startsWith("alert_rule."));
  assert.deepEqual(audit.filter((a) => a.action.includes("/alerts")), [], "one entry per change");
  assert.deepEqual(alertAudit.map((a) => [a.actor, a.action, a.target]), [
    ["otto", "alert_rule.create", rule.id],
    ["otto", "alert_rule.update", rule.id],
    ["admin", "alert_rule.delete", rule.id],
  ]);
});

Deno.test("a rule the API cannot keep is refused with every problem named", async () => {
  await using s = await setUp();
  const response = await s.call("operator", "POST", "/api/alerts/rules", {
    ...RULE,
    condition: { kind: "threshold", metric: "temp c", op: "=>", value: "hot" },
    emails: ["not-an-address"],
    webhooks: ["ftp://x"],
  });
  assert.equal(response.status, 400);
  const { error } = await response.json();
  const paths = error.issues.map((i: { path: string }) => i.path).sort();
  assert.deepEqual(paths, [
    "condition.metric",
    "condition.op",
    "condition.value",
    "emails.0",
    "webhooks.0",
  ]);
  const notJson = await s.app.request("/api/alerts/rules", {
    method: "POST",
    headers: { cookie: await apiLogin(s.app, OPERATOR), "content-type": "application/json" },
    body: "{",
  });
  assert.equal(notJson.status, 400);
  assert.equal(await alertCollections(s.t.db).rules.countDocuments({}), 0, "nothing stored");
  const badQuery = await s.call("viewer", "GET", "/api/alerts/history?limit=0x10");
  assert.equal(badQuery.status, 400);
});

Deno.test("the rule form creates a rule and redirects relatively; a bad form comes back with its errors", async () => {
  await using s = await setUp();
  const fields = {
    name: "Pump silent",
    severity: "warning",
    enabled: "on",
    scope: "device",
    target: "pump-7",
    kind: "offline",
    window: "120",
    for: "0",
    webhooks: "",
    emails: "ops@example.com, night@example.com",
  };
  const ok = await s.form("operator", "/alerts/rules/new", fields);
  assert.equal(ok.status, 303);
  assertRelativeLocation(ok, "../../alerts/rules");
  const [rule] = await alertCollections(s.t.db).rules.find({}).toArray();
  assert.deepEqual(rule.condition, { kind: "offline", afterMs: 120_000 });
  assert.deepEqual(rule.emails, ["ops@example.com", "night@example.com"]);

  const bad = await s.form("operator", "/alerts/rules/new", { ...fields, window: "abc" });
  assert.equal(bad.status, 400);
  const html = await bad.text();
  assert.match(html, /The rule was not saved/);
  assert.match(html, /value="Pump silent"/, "what was typed is kept");

  const page = await s.app.request("/alerts/rules", {
    headers: { cookie: await apiLogin(s.app, VIEWER) },
  });
  assert.match(await page.text(), /no reading for 2 min on device pump-7/);
  assert.equal((await s.form("viewer", "/alerts/rules/new", fields)).status, 403);
  const editPage = await s.app.request(`/alerts/rules/${rule._id}`, {
    headers: { cookie: await apiLogin(s.app, VIEWER) },
  });
  assert.doesNotMatch(await editPage.text(), /whsec_/, "no secret on a viewer's page");
});

Deno.test("the alerts page shows what fires, and an operator silences it for an hour", async () => {
  await using s = await setUp();
  const rule = await (await s.call("operator", "POST", "/api/alerts/rules", RULE)).json();
  await alertCollections(s.t.db).instances.insertOne({
    _id: `${rule.id}|boiler-1`,
    rule: rule.id,
    device: "boiler-1",
    state: "firing",
    since: new Date(),
    firedAt: new Date(),
    value: 93.5,
    transitions: 1,
  });
  const page = await s.app.request("/alerts", {
    headers: { cookie: await apiLogin(s.app, VIEWER) },
  });
  const html = await page.text();
  assert.match(html, /1 firing/);
  assert.match(html, /Boiler too hot/);
  assert.match(html, /boiler-1/);
  assert.doesNotMatch(html, /Silence 1 h/, "viewers get no silence button");
  const api = await (await s.call("viewer", "GET", "/api/alerts?device=boiler-1")).json();
  assert.deepEqual(api.alerts.map((a: { state: string }) => a.state), ["firing"]);

  const silenced = await s.form("operator", "/alerts/silences", {
    rule: rule.id,
    device: "boiler-1",
    hours: "1",
  });
  assert.equal(silenced.status, 303);
  assertRelativeLocation(silenced, "../alerts");
  const { silences } = await (await s.call("viewer", "GET", "/api/alerts/silences")).json();
  assert.equal(silences.length, 1);
  assert.equal(silences[0].active, true);
  assert.equal(silences[0].createdBy, "otto");
  const [audited] = await auditCollection(s.t.db).find({ action: "silence.create" }).toArray();
  assert.deepEqual([audited.actor, audited.target], ["otto", silences[0].id]);
});
