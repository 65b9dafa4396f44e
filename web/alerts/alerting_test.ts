import assert from "node:assert/strict";
import { registerDevice } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import {
  eventually,
  openTestDatabase,
  startSmtpSink,
  startWebhookSink,
  writeTestReading,
} from "@fleetmon/shared/testing";
import { startAlerting } from "./alerting.ts";
import { mongoFleetReader } from "./fleet_reader.ts";
import { createRule, createSilence } from "./rules.ts";
import { createSenders, signWebhook } from "./senders.ts";
import {
  alertCollections,
  alertsForDevice,
  firingAlerts,
  listHistory,
  pruneAlertLogs,
} from "./store.ts";

const SECRET = "test-secret-0123456789";

async function setUp(db: Parameters<typeof startAlerting>[0]["db"], smtpUrl?: string) {
  const logger = createMemoryLogger("web");
  const alerting = startAlerting({
    db,
    logger,
    node: "ws0",
    fleet: mongoFleetReader(db),
    senders: createSenders({ url: smtpUrl, from: "fleetmon@test.invalid" }),
    tickMs: 50,
    leaseTtlMs: 1_000,
    backoff: () => 50,
  });
  await eventually(() => alerting.evaluating(), 5_000, "the node to take the alerts lease");
  return alerting;
}

Deno.test("a reading over a threshold fires a signed webhook and an e-mail; falling back resolves it", async () => {
  await using t = await openTestDatabase();
  await using smtp = await startSmtpSink();
  await using hooks = startWebhookSink();
  await registerDevice(t.db, { id: "pump-1" });
  await writeTestReading(t.db, "pump-1", 1, { temp: 20 });
  const rule = await createRule(t.db, {
    name: "Too hot",
    severity: "critical",
    scope: { kind: "device", device: "pump-1" },
    condition: { kind: "threshold", metric: "temp", op: ">", value: 80 },
    webhooks: [hooks.url],
    emails: ["ops@example.com"],
    webhookSecret: SECRET,
  }, "admin");
  const alerting = await setUp(t.db, smtp.url);
  try {
    await writeTestReading(t.db, "pump-1", 2, { temp: 91 });
    await eventually(() => hooks.received.length === 1, 10_000, "the firing webhook");
    const hook = hooks.received[0];
    const payload = JSON.parse(hook.body);
    assert.equal(payload.status, "firing");
    assert.equal(payload.device, "pump-1");
    assert.equal(payload.value, 91);
    assert.equal(payload.rule.name, "Too hot");
    const expected = await signWebhook(
      SECRET,
      hook.headers.get("x-fleetmon-timestamp")!,
      hook.body,
    );
    assert.equal(hook.headers.get("x-fleetmon-signature"), expected);
    assert.equal(hook.headers.get("x-fleetmon-event"), payload.id);
    await eventually(() => smtp.messages.length === 1, 10_000, "the firing e-mail");
    assert.deepEqual(smtp.messages[0].to, ["ops@example.com"]);
    assert.equal(smtp.messages[0].subject, "[FIRING] Too hot on pump-1");
    assert.deepEqual((await firingAlerts(t.db)).map((a) => [a.rule, a.device]), [[
      rule._id,
      "pump-1",
    ]]);

    await writeTestReading(t.db, "pump-1", 3, { temp: 50 });
    await eventually(() => hooks.received.length === 2, 10_000, "the resolved webhook");
    assert.equal(JSON.parse(hooks.received[1].body).status, "resolved");
    await eventually(() => smtp.messages.length === 2, 10_000, "the resolved e-mail");
    assert.equal(smtp.messages[1].subject, "[RESOLVED] Too hot on pump-1");
    assert.deepEqual(await alertsForDevice(t.db, "pump-1"), []);
    const history = await listHistory(t.db, { device: "pump-1", limit: 10 });
    assert.deepEqual(history.map((e) => e.event), ["resolved", "firing"]);
    await eventually(
      async () => (await alertCollections(t.db).deliveries.countDocuments({ ok: true })) === 4,
      5_000,
      "four successful deliveries in the log",
    );
  } finally {
    await alerting.stop();
  }
});

Deno.test("a failing webhook is retried with backoff while a dead one gives up without blocking it", async () => {
  await using t = await openTestDatabase();
  await using flaky = startWebhookSink({ respond: (_hook, i) => (i < 2 ? 503 : 200) });
  await using gone = startWebhookSink({ respond: () => 404 });
  await registerDevice(t.db, { id: "d1" });
  await writeTestReading(t.db, "d1", 1, { temp: 20 });
  await createRule(t.db, {
    name: "Hot",
    scope: { kind: "all" },
    condition: { kind: "threshold", metric: "temp", op: ">=", value: 30 },
    webhooks: [gone.url, flaky.url],
  }, "admin");
  const alerting = await setUp(t.db);
  try {
    await writeTestReading(t.db, "d1", 2, { temp: 30 });
    await eventually(() => flaky.received.length === 3, 10_000, "the third attempt");
    const deliveries = alertCollections(t.db).deliveries;
    await eventually(async () => (await deliveries.countDocuments({})) === 4, 5_000, "4 attempts");
    const log = await deliveries.find({}).sort({ attempt: 1 }).toArray();
    const flakyLog = log.filter((d) => d.target === flaky.url).map((d) => [d.attempt, d.ok]);
    assert.deepEqual(flakyLog, [[1, false], [2, false], [3, true]]);
    const goneLog = log.filter((d) => d.target === gone.url);
    assert.deepEqual(goneLog.map((d) => [d.attempt, d.ok, d.final]), [[1, false, true]]);
    assert.match(goneLog[0].detail, /HTTP 404/);
    assert.equal(gone.received.length, 1, "a 404 is not retried");
    assert.equal(await alertCollections(t.db).outbox.countDocuments({}), 0);
  } finally {
    await alerting.stop();
  }
});

Deno.test("a silenced alert fires and is recorded, but notifies no one", async () => {
  await using t = await openTestDatabase();
  await using hooks = startWebhookSink();
  await registerDevice(t.db, { id: "d1" });
  await writeTestReading(t.db, "d1", 1, { temp: 20 });
  const rule = await createRule(t.db, {
    name: "Hot",
    scope: { kind: "all" },
    condition: { kind: "threshold", metric: "temp", op: ">", value: 30 },
    webhooks: [hooks.url],
  }, "admin");
  await createSilence(t.db, { rule: rule._id, device: "d1", durationMs: 3_600_000 }, "admin");
  const alerting = await setUp(t.db);
  try {
    await writeTestReading(t.db, "d1", 2, { temp: 40 });
    await eventually(async () => (await firingAlerts(t.db)).length === 1, 10_000, "firing");
    const [event] = await listHistory(t.db, { limit: 10 });
    assert.equal(event.silenced, true);
    assert.equal(await alertCollections(t.db).outbox.countDocuments({}), 0);
    assert.equal(hooks.received.length, 0);
  } finally {
    await alerting.stop();
  }
});

Deno.test("a fleet that announces new readings gets them evaluated at once, not at the next tick", async () => {
  await using t = await openTestDatabase();
  await using hooks = startWebhookSink();
  await createRule(t.db, {
    name: "Hot",
    scope: { kind: "all" },
    condition: { kind: "threshold", metric: "temp", op: ">", value: 30 },
    webhooks: [hooks.url],
  }, "admin");
  const metrics = { temp: 20 };
  let listener: (device: string) => void = () => {};
  const fleet = {
    latest: () =>
      Promise.resolve([{
        id: "d1",
        enabled: true,
        seen: new Date(),
        ts: new Date(),
        seq: metrics.temp,
        metrics,
      }]),
    onReading(fn: (device: string) => void) {
      listener = fn;
      return () => {};
    },
  };
  const alerting = startAlerting({
    db: t.db,
    logger: createMemoryLogger("web"),
    node: "ws0",
    fleet,
    senders: createSenders({ from: "x@y.z" }),
    tickMs: 60_000,
    leaseTtlMs: 1_000,
  });
  try {
    await eventually(() => alerting.evaluating(), 5_000, "the lease");
    metrics.temp = 40;
    listener("d1");
    await eventually(() => hooks.received.length === 1, 5_000, "the webhook, long before a tick");
  } finally {
    await alerting.stop();
  }
});

Deno.test("history and delivery log entries past their retention are pruned, newer ones kept", async () => {
  await using t = await openTestDatabase();
  const c = alertCollections(t.db);
  const now = Date.UTC(2026, 11, 1);
  const day = 86_400_000;
  const event = (id: string, ageDays: number) => ({
    _id: id,
    rule: "r",
    ruleName: "R",
    severity: "warning" as const,
    device: "d",
    event: "firing" as const,
    at: new Date(now - ageDays * day),
    silenced: false,
    term: 1,
  });
  await c.events.insertMany([event("old", 181), event("new", 179)]);
  const delivery = (ageDays: number) => ({
    outbox: "o",
    event: "e",
    rule: "r",
    channel: "webhook" as const,
    target: "t",
    attempt: 1,
    ok: true,
    detail: "HTTP 200",
    final: true,
    at: new Date(now - ageDays * day),
    ms: 1,
  });
  await c.deliveries.insertMany([delivery(31), delivery(29)]);
  assert.equal(await pruneAlertLogs(t.db, now), 2);
  assert.deepEqual((await c.events.find({}).toArray()).map((e) => e._id), ["new"]);
  assert.equal(await c.deliveries.countDocuments({}), 1);
});
