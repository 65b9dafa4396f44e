/**
 * The cluster page sees every layer: a real lb process (its admin API), a comm node's heartbeat,
 * a real web node, and the database, through the web node's HTTPS API.
 */
import assert from "node:assert/strict";
import { writeHeartbeat } from "@fleetmon/shared/db";
import { eventually } from "@fleetmon/shared/testing";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { createUser } from "@fleetmon/shared/db";
import { login } from "./_https.ts";
import { openCluster, startWebProcess } from "./_web_support.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("the cluster page shows each lb's backends, the nodes with their lb state, and the database", async () => {
  await using cluster = await openCluster();
  const db = cluster.database.db;
  await createUser(db, { username: "ops", password: "ops password", role: "viewer" });
  using upListener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const downPort = freePort();
  const upAddress = `127.0.0.1:${upListener.addr.port}`;
  await writeHeartbeat(db, {
    _id: "cs0",
    kind: "comm",
    version: "0.1.0",
    address: upAddress,
    host: "vm",
    pid: 1,
    startedAt: new Date(),
    heartbeatAt: new Date(),
    stats: { connections: 3, readingsStored: 100, pendingReadings: 7 },
  });
  const accepting = (async () => {
    for await (const conn of upListener) conn.close();
  })().catch(() => {});

  const lb = await startService({
    name: "lb-comm",
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--config",
      `${ROOT}deno.json`,
      `${ROOT}lb/main.ts`,
      "--name=lb-comm",
      `--listen=127.0.0.1:${freePort()}`,
      "--admin=127.0.0.1:0",
      "--engine=deno",
      "--check=tcp",
      "--check-interval-ms=100",
      `--backend=cs0=${upAddress}`,
      `--backend=cs1=127.0.0.1:${downPort}`,
    ],
    ready: isListening,
  });
  try {
    const admin = String(lb.readyEntry!.admin);
    await using web = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
      extraArgs: [`--lb-admin=lb-comm=http://${admin}`],
    });
    const base = `https://127.0.0.1:${web.port}`;
    using client = Deno.createHttpClient({ caCerts: [cluster.certPem] });
    const cookie = await login(client, base, "ops", "ops password");
    const read = async () => {
      const response = await fetch(`${base}/api/cluster`, { client, headers: { cookie } });
      assert.equal(response.status, 200);
      return await response.json();
    };
    // deno-lint-ignore no-explicit-any
    let view: any;
    const backendStates = (v: typeof view) =>
      Object.fromEntries(
        v.lbs[0].backends.map((b: { id: string; state: string }) => [b.id, b.state]),
      );
    await eventually(
      async () => {
        view = await read();
        const states = backendStates(view);
        return states.cs0 === "up" && states.cs1 === "down";
      },
      15_000,
      "lb-comm to see cs0 up and cs1 down",
    );
    assert.equal(view.lbs[0].reachable, true);
    const cs0 = view.nodes.find((n: { id: string }) => n.id === "cs0");
    assert.deepEqual(cs0.lb, { "lb-comm": "up" });
    assert.equal(cs0.health, "up");
    assert.equal(cs0.stats.pendingReadings, 7);
    assert.ok(
      view.nodes.some((n: { id: string; kind: string }) => n.id === "ws0" && n.kind === "web"),
    );
    assert.equal(view.database.server, "FerretDB");
    assert.match(view.database.version, /\d+\.\d+/);
    assert.equal(view.database.topology, "standalone");
    assert.equal(view.database.shards.length, 0);

    const html = await (await fetch(`${base}/cluster`, { client, headers: { cookie } })).text();
    assert.match(html, /data-lb="lb-comm"/);
    assert.match(html, /<tr data-backend="cs1">.*?badge off">down</s);
    assert.match(html, /FerretDB/);
  } finally {
    await lb.stop();
    upListener.close();
    await accepting;
  }
});
