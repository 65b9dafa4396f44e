/**
 * The cluster page sees every layer: two real lb processes (lb(comm) and lb(web), through their
 * admin APIs), a comm node's heartbeats, a real web node behind lb(web), and the database with the
 * readings' collections, through the web node's HTTPS API and its page.
 */
import assert from "node:assert/strict";
import { writeHeartbeat } from "@fleetmon/shared/db";
import { eventually } from "@fleetmon/shared/testing";
import { freePort } from "@fleetmon/shared/socket";
import { isListening, startService } from "@fleetmon/shared/supervisor";
import { createUser, registerDevice } from "@fleetmon/shared/db";
import { login } from "./_https.ts";
import { openCluster, startWebProcess, writeReading } from "./_web_support.ts";

const ROOT = new URL("../", import.meta.url).pathname;

Deno.test("the cluster page shows both lbs' backends, the nodes with rates, pending writes and lb state, and the database", async () => {
  await using cluster = await openCluster();
  const db = cluster.database.db;
  await createUser(db, { username: "ops", password: "ops password", role: "viewer" });
  using upListener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const downPort = freePort();
  const upAddress = `127.0.0.1:${upListener.addr.port}`;
  await registerDevice(db, { id: "pump-1", name: "Pump 1" });
  for (let seq = 1; seq <= 3; seq++) {
    await writeReading(cluster.database, "pump-1", seq, { t: seq });
  }
  const heartbeat = (at: Date, readingsStored: number) =>
    writeHeartbeat(db, {
      _id: "cs0",
      kind: "comm",
      version: "0.1.0",
      address: upAddress,
      host: "vm",
      pid: 1,
      startedAt: new Date(Date.now() - 60_000),
      heartbeatAt: at,
      stats: { connections: 3, readingsStored, pendingReadings: 7 },
    });
  const accepting = (async () => {
    for await (const conn of upListener) conn.close();
  })().catch(() => {});

  const startLb = (name: string, admin: string, backends: string[]) =>
    startService({
      name,
      args: [
        "run",
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--config",
        `${ROOT}deno.json`,
        `${ROOT}lb/main.ts`,
        `--name=${name}`,
        `--listen=127.0.0.1:${freePort()}`,
        `--admin=${admin}`,
        "--engine=deno",
        "--check=tcp",
        "--check-interval-ms=100",
        ...backends.map((b) => `--backend=${b}`),
      ],
      ready: isListening,
    });
  const lbComm = await startLb("lb-comm", "127.0.0.1:0", [
    `cs0=${upAddress}`,
    `cs1=127.0.0.1:${downPort}`,
  ]);
  const lbWebAdmin = `127.0.0.1:${freePort()}`;
  let lbWeb: Awaited<ReturnType<typeof startLb>> | undefined;
  try {
    await using web = await startWebProcess({
      node: "ws0",
      cwd: await cluster.nodeDir("ws0"),
      uri: cluster.uri,
      extraArgs: [
        `--lb-admin=lb-comm=http://${lbComm.readyEntry!.admin},lb-web=http://${lbWebAdmin}`,
      ],
    });
    lbWeb = await startLb("lb-web", lbWebAdmin, [`ws0=${web.addr}`]);
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
    const first = Date.now() - 5_000;
    await heartbeat(new Date(first), 100);
    await read(); // the first heartbeat of cs0 is sampled
    await heartbeat(new Date(first + 5_000), 600);
    // deno-lint-ignore no-explicit-any
    const states = (v: any, lb: string) =>
      Object.fromEntries(
        // deno-lint-ignore no-explicit-any
        v.lbs.find((l: any) => l.name === lb).backends.map((b: any) => [b.id, b.state]),
      );
    // deno-lint-ignore no-explicit-any
    const node = (v: any, id: string) => v.nodes.find((n: any) => n.id === id);
    await eventually(
      async () => {
        view = await read();
        const comm = states(view, "lb-comm");
        return comm.cs0 === "up" && comm.cs1 === "down" && states(view, "lb-web").ws0 === "up" &&
          node(view, "ws0")?.rates.requests !== undefined;
      },
      30_000,
      "the lbs to see cs0 and ws0 up, cs1 down, and two heartbeats of ws0",
    );
    assert.deepEqual(view.lbs.map((l: { reachable: boolean }) => l.reachable), [true, true]);
    const cs0 = node(view, "cs0");
    assert.deepEqual(cs0.lb, { "lb-comm": "up" });
    assert.equal(cs0.health, "up");
    assert.equal(cs0.stats.pendingReadings, 7);
    assert.ok(Math.abs(cs0.rates.readingsStored - 100) < 1, `${cs0.rates.readingsStored}/s`);
    const ws0 = node(view, "ws0");
    assert.equal(ws0.kind, "web");
    assert.deepEqual(ws0.lb, { "lb-web": "up" });
    assert.equal(ws0.health, "up");
    assert.ok(ws0.rates.requests > 0, "the web node's requests per second");

    assert.equal(view.database.server, "FerretDB");
    assert.match(view.database.version, /^v?\d+\.\d+.* \(speaks MongoDB \d+\.\d+/);
    assert.equal(view.database.topology, "standalone");
    assert.equal(view.database.shards.length, 0);
    assert.equal(view.database.counts.devices, 1);
    assert.equal(view.database.counts.readings_raw, 3, "one chunk per reading written apart");
    assert.deepEqual(
      view.database.readings.map((r: { collection: string; shard: string; count: number }) =>
        `${r.collection} ${r.shard} ${r.count}`
      ),
      ["readings_raw (single server) 3"],
      "collections nothing was written to yet are left out",
    );
    assert.deepEqual(view.database.notes, []);
    for (const name of ["readings_raw", "readings_1m", "readings_1h"]) {
      assert.ok(name in view.database.counts, name);
    }

    const html = await (await fetch(`${base}/cluster`, { client, headers: { cookie } })).text();
    assert.match(html, /data-lb="lb-comm"/);
    assert.match(html, /data-lb="lb-web"/);
    assert.match(html, /<tr data-backend="cs1">.*?badge off">down</s);
    assert.match(html, /<tr data-node="cs0">.*?100 \/s/s);
    assert.match(html, /FerretDB/);
    assert.match(html, /readings_raw/);
  } finally {
    await lbWeb?.stop();
    await lbComm.stop();
    upListener.close();
    await accepting;
  }
});
