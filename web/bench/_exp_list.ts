import { connectDatabase, createUser, ensureIndexes } from "@fleetmon/shared/db";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { createApp } from "../app.ts";
import { seedFleet } from "./_fleet.ts";
import { createFleet } from "../fleet/mod.ts";
import { firingAlerts } from "../alerts/mod.ts";
const { db, close } = await connectDatabase("mongodb://127.0.0.1:23017/explist", {
  appName: "exp",
});
if (await db.collection("devices").countDocuments() === 0) {
  await ensureIndexes(db);
  await createUser(db, { username: "a", password: "pw-123456789", role: "admin" });
  await seedFleet(db, 10_000);
}
const logger = createMemoryLogger("web");
const fleet = createFleet({ db, logger, firing: () => firingAlerts(db) });
let t = performance.now();
await fleet.sync();
console.log("load", performance.now() - t);
const app = createApp({ db, logger, nodeId: "ws0", fleet });
const r = await app.request("/api/login", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: "a", password: "pw-123456789" }),
});
const cookie =
  r.headers.getSetCookie().find((c) => c.startsWith("__Host-fm_session="))!.split(";")[0];
async function lat(what: string, url: (i: number) => string) {
  const times: number[] = [];
  for (let i = 0; i < 220; i++) {
    const s = performance.now();
    const res = await app.request(url(i), { headers: { cookie } });
    const body = await res.arrayBuffer();
    if (i >= 20) times.push(performance.now() - s);
    if (i === 0) console.log(what, res.status, body.byteLength, "bytes");
  }
  times.sort((a, b) => a - b);
  console.log(
    what,
    "p50",
    times[100].toFixed(1),
    "p95",
    times[189].toFixed(1),
    "max",
    times[199].toFixed(1),
  );
}
await lat("list", (i) => `/api/devices?q=bench-${(i * 37) % 1000}&limit=50`);
await lat("overview", () => `/api/overview`);
t = performance.now();
for (let i = 0; i < 100; i++) {
  fleet.query({ q: `bench-${(i * 37) % 1000}`, limit: 50, offset: 0, sort: "id", dir: "asc" });
}
console.log("fleet.query x100", ((performance.now() - t) / 100).toFixed(2), "ms each");
t = performance.now();
for (let i = 0; i < 100; i++) fleet.facets();
console.log("facets x100", ((performance.now() - t) / 100).toFixed(2), "ms each");
await close();
Deno.exit(0);
