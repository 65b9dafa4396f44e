import assert from "node:assert/strict";
import { Hono } from "hono";
import type { SessionDoc } from "@fleetmon/shared/db";
import type { WebEnv } from "./context.ts";
import { errorHandler } from "./error_handler.ts";
import { hasRole, requireRole, type Role } from "./roles.ts";
import { createLogger } from "@fleetmon/shared/log";

function appAs(role: Role | undefined) {
  const app = new Hono<WebEnv>();
  app.onError(errorHandler(createLogger({ service: "test", level: "error" })));
  app.use(async (c, next) => {
    if (role) c.set("session", { role } as SessionDoc);
    await next();
  });
  app.get("/api/read", requireRole("viewer"), (c) => c.json({ ok: true }));
  app.post("/api/change", requireRole("operator"), (c) => c.json({ ok: true }));
  app.post("/api/users", requireRole("admin"), (c) => c.json({ ok: true }));
  return app;
}

Deno.test("roles rank viewer below operator below admin", () => {
  assert.equal(hasRole("admin", "operator"), true);
  assert.equal(hasRole("operator", "operator"), true);
  assert.equal(hasRole("viewer", "operator"), false);
  assert.equal(hasRole("operator", "admin"), false);
});

Deno.test("a route refuses a role below the one it needs with 403 forbidden", async () => {
  const expected: [Role, string, string, number][] = [
    ["viewer", "GET", "/api/read", 200],
    ["viewer", "POST", "/api/change", 403],
    ["viewer", "POST", "/api/users", 403],
    ["operator", "POST", "/api/change", 200],
    ["operator", "POST", "/api/users", 403],
    ["admin", "POST", "/api/users", 200],
  ];
  for (const [role, method, path, status] of expected) {
    const res = await appAs(role).request(path, { method });
    assert.equal(res.status, status, `${role} ${method} ${path}`);
    if (status === 403) assert.equal((await res.json()).error.code, "forbidden");
    else await res.body?.cancel();
  }
});

Deno.test("requireRole refuses an unknown role when the route is built", () => {
  assert.throws(() => requireRole("root" as Role), TypeError);
});
