/**
 * Walks every route the app registers and calls it as each role: a role below the policy's role
 * for the route gets 403 and changes nothing; a route may ask more with its own requireRole, but
 * once a role is let through every higher role is too, and an admin always is. Routes added later
 * by anyone are walked too, with the default policy (viewer reads, operator changes).
 */
import assert from "node:assert/strict";
import { createUser } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, ORIGIN, testApp } from "../_testing.ts";
import { hasRole, ROLES } from "../roles.ts";
import { neededRole } from "./policy.ts";

const PUBLIC = /^\/(healthz|metrics|login|logout|static\/|api\/(login|logout))/;

Deno.test("every route refuses roles below its policy with 403 and lets the others through", async () => {
  await using t = await openTestDatabase();
  const app = testApp(t.db);
  const cookies: Record<string, string> = {};
  for (const role of ROLES) {
    const credentials = { username: `${role}-1`, password: `${role} password` };
    await createUser(t.db, { ...credentials, role });
    cookies[role] = await apiLogin(app, credentials);
  }
  const routes = [
    ...new Map(
      app.routes
        .filter((r) => r.method !== "ALL" && !PUBLIC.test(r.path) && r.path !== "/*")
        .map((r) => [`${r.method} ${r.path}`, r]),
    ).values(),
  ];
  assert.ok(routes.length >= 15, `walked ${routes.length} routes`);
  const checked: string[] = [];
  for (const route of routes) {
    const path = route.path.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, "x-1");
    const needed = neededRole(route.method, path);
    // Lowest role first: a refused call changes nothing, so later calls meet the same state.
    let allowedFrom: string | undefined;
    for (const role of ROLES) {
      const response = await app.request(path, {
        method: route.method,
        headers: { cookie: cookies[role], origin: ORIGIN, "content-type": "application/json" },
        body: route.method === "GET" || route.method === "HEAD" ? undefined : "{}",
      });
      await response.body?.cancel();
      const what = `${role} on ${route.method} ${route.path}`;
      if (!hasRole(role, needed)) assert.equal(response.status, 403, what);
      else if (allowedFrom) assert.notEqual(response.status, 403, `${what} (${allowedFrom} may)`);
      if (response.status !== 403) allowedFrom ??= role;
    }
    assert.ok(allowedFrom, `an admin may call ${route.method} ${route.path}`);
    checked.push(`${route.method} ${route.path}: ${allowedFrom}`);
  }
  for (
    const expected of [
      "POST /api/users: admin",
      "GET /api/devices: viewer",
      "GET /audit: admin",
      "GET /devices: viewer",
    ]
  ) {
    assert.ok(checked.includes(expected), `${expected} in ${checked.join(", ")}`);
  }
});

Deno.test("the policy: admin for users, tokens and audit; viewer reads; operator changes", () => {
  assert.equal(neededRole("GET", "/api/users"), "admin");
  assert.equal(neededRole("GET", "/tokens"), "admin");
  assert.equal(neededRole("GET", "/audit"), "admin");
  assert.equal(neededRole("GET", "/api/devices"), "viewer");
  assert.equal(neededRole("POST", "/api/devices/x/tags"), "operator");
  assert.equal(neededRole("DELETE", "/api/alerts/rules/1"), "operator");
  assert.equal(neededRole("GET", "/api/usersx"), "viewer");
});
