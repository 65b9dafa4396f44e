import { connectDatabase, createUser, ensureIndexes } from "@fleetmon/shared/db";
import { createLogger } from "@fleetmon/shared/log";
import { createApp } from "../app.ts";
import { AuthCache } from "../login/auth_cache.ts";
const { db, close } = await connectDatabase("mongodb://127.0.0.1:23017/exp" + Date.now(), {
  appName: "exp",
});
await ensureIndexes(db);
await createUser(db, { username: "a", password: "pw-123456789", role: "admin" });
// deno-lint-ignore no-explicit-any
const authCache = new AuthCache<any>({ now: Date.now, freshMs: 1e9 });
const app = createApp({
  db,
  logger: createLogger({ service: "web", level: "info", write: () => {} }),
  nodeId: "ws0",
  authCache,
});
const r = await app.request("/api/login", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: "a", password: "pw-123456789" }),
});
const cookie =
  r.headers.getSetCookie().find((c) => c.startsWith("__Host-fm_session="))!.split(";")[0];
authCache.observe(0, Date.now());
async function rate(what: string, fn: () => Promise<unknown>, conc = 16, ms = 3000) {
  let n = 0;
  const until = performance.now() + ms;
  await Promise.all(Array.from({ length: conc }, async () => {
    while (performance.now() < until) {
      await fn();
      n++;
    }
  }));
  console.log(what, Math.round(n / (ms / 1000)), "/s");
}
const headers = new Headers({ cookie, "accept-encoding": "gzip, br" });
const addr = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 1 } };
for (let i = 0; i < 4; i++) {
  await rate("app /api/me", async () => {
    const res = await app.fetch(new Request("https://localhost/api/me", { headers }), addr);
    await res.arrayBuffer();
  });
}
await close();
Deno.exit(0);
