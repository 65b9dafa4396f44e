import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, seedUser, testApp, USER } from "./_testing.ts";

Deno.test("/metrics counts requests by route pattern and status, for a viewer token only", async () => {
  await using t = await openTestDatabase();
  await seedUser(t.db);
  const app = testApp(t.db, { nodeId: "ws7" });
  const admin = await apiLogin(app);
  await app.request("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...USER, password: "wrong" }),
  });
  for (const id of ["a-1", "b-2", "c-3"]) {
    await (await app.request(`/api/devices/${id}`, { headers: { cookie: admin } })).body?.cancel();
  }
  const made = await app.request("/api/tokens", {
    method: "POST",
    headers: { cookie: admin, origin: ORIGIN, "content-type": "application/json" },
    body: JSON.stringify({ name: "prometheus", role: "viewer" }),
  });
  const { token } = await made.json();

  const anonymous = await app.request("/metrics");
  assert.equal(anonymous.status, 401);
  const response = await app.request("/metrics", { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type")!, /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  assert.match(
    text,
    /fleetmon_web_http_requests_total\{method="GET",route="\/api\/devices\/:id",status="404",node="ws7"\} 3/,
  );
  assert.ok(!text.includes("a-1"), "raw paths never become labels");
  assert.match(
    text,
    /fleetmon_web_http_request_duration_seconds_count\{node="ws7",method="GET",route="\/api\/devices\/:id"\} 3/,
  );
  assert.match(text, /fleetmon_web_logins_total\{result="failed",node="ws7"\} 1/);
  assert.match(text, /fleetmon_web_http_requests_in_flight\{node="ws7"\} 1/);
  assert.match(text, /fleetmon_web_password_checks_queued\{node="ws7"\} 0/);
});
