/**
 * Two real web nodes (ws0, ws1) over HTTPS against one database, each started from its own
 * directory with its own copy of the certificate: a login on one works on the other.
 */
import assert from "node:assert/strict";
import {
  eventually,
  openCluster,
  seed,
  startWebProcess,
  USER,
  writeReading,
} from "./_web_support.ts";

Deno.test("a session made on ws0 works on ws1, and both serve the same readings over HTTPS", async () => {
  await using cluster = await openCluster();
  await seed(cluster.database, "boiler-7", 60, "cs1");
  await using ws0 = await startWebProcess({
    node: "ws0",
    cwd: await cluster.nodeDir("ws0"),
    uri: cluster.uri,
  });
  await using ws1 = await startWebProcess({
    node: "ws1",
    cwd: await cluster.nodeDir("ws1"),
    uri: cluster.uri,
  });
  assert.notEqual(ws0.port, ws1.port);
  using client = Deno.createHttpClient({ caCerts: [cluster.certPem] });
  const url = (node: { port: number }, path: string) => `https://localhost:${node.port}${path}`;
  const get = (node: { port: number }, path: string, cookie?: string) =>
    fetch(url(node, path), { client, headers: cookie ? { cookie } : {}, redirect: "manual" });

  for (const node of [ws0, ws1]) {
    const health = await get(node, "/healthz");
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, node: node.node, db: "up" });
  }

  const login = await fetch(url(ws0, "/api/login"), {
    client,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  assert.equal(login.status, 200);
  assert.deepEqual(Object.keys(await login.json()).sort(), ["expiresAt", "role", "username"]);
  const setCookie = login.headers.getSetCookie()[0];
  assert.match(
    setCookie,
    /^__Host-fm_session=fms_[A-Za-z0-9_-]{43}; .*HttpOnly; Secure; SameSite=Strict/,
  );
  const cookie = setCookie.split(";")[0];

  const me = await get(ws1, "/api/me", cookie);
  assert.equal(me.status, 200);
  assert.equal((await me.json()).username, "operator");

  const devices = await (await get(ws1, "/api/devices", cookie)).json();
  assert.equal(devices.devices.length, 1);
  assert.equal(devices.devices[0].id, "boiler-7");
  assert.equal(devices.total, 1);
  assert.equal(devices.devices[0].lastNode, "cs1");

  const readings = await (await get(ws0, "/api/devices/boiler-7/readings?limit=1000", cookie))
    .json();
  assert.equal(readings.readings.length, 60);
  assert.equal(readings.readings[0].seq, 60);
  assert.equal(readings.nextBefore, null);

  // Relative redirects over the real server, too.
  const root = await get(ws1, "/", cookie);
  assert.equal(root.status, 302);
  assert.equal(root.headers.get("location"), "./overview");
  await root.body?.cancel();
  const anonymous = await get(ws1, "/devices/boiler-7");
  assert.equal(anonymous.headers.get("location"), "../login?next=devices%2Fboiler-7");
  await anonymous.body?.cancel();

  // Each node's heartbeat shows both web nodes alive, on either node.
  const nodes = await eventually("both heartbeats", async () => {
    const body = await (await get(ws1, "/api/nodes", cookie)).json();
    const web = body.nodes.filter((n: { kind: string; alive: boolean }) =>
      n.kind === "web" && n.alive
    );
    return web.length === 2 ? web : undefined;
  });
  assert.deepEqual(nodes.map((n: { id: string }) => n.id), ["ws0", "ws1"]);
  assert.equal(nodes[0].address, ws0.addr);
  assert.equal(typeof nodes[0].stats.requests, "number");

  // ws0 stops gracefully on SIGTERM, ending its live streams; the session still works on ws1.
  const stream = await get(ws0, "/api/stream/devices", cookie);
  assert.equal(stream.headers.get("content-type"), "text/event-stream");
  const events = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
  let received = "";
  while (!received.includes("event: page")) {
    const { value, done } = await events.read();
    assert.ok(!done, "the stream sends the page of devices first");
    received += value;
  }
  const stopAt = Date.now();
  const stopping = ws0.stop();
  while (!(await events.read()).done) { /* the node ends the stream as it shuts down */ }
  const status = await stopping;
  assert.ok(Date.now() - stopAt < 5_000, "live streams do not hold up the shutdown");
  assert.equal(status.code, 0);
  assert.ok(ws0.lines.some((l) => l.msg === "stopped"));
  await writeReading(cluster.database, "boiler-7", 61, { temp: 99 });
  const after = await (await get(ws1, "/api/devices/boiler-7", cookie)).json();
  assert.equal(after.lastSeq, 61);
});

Deno.test("a web node without its certificate refuses to start and says why", async () => {
  await using cluster = await openCluster();
  const dir = `${cluster.dir}/bare`;
  await Deno.mkdir(dir);
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      "--config",
      new URL("../deno.json", import.meta.url).pathname,
      new URL("../web/main.ts", import.meta.url).pathname,
      "--node",
      "ws9",
      "--mongodb-uri",
      cluster.uri,
    ],
    cwd: dir,
    stdin: "null",
  }).output();
  assert.equal(output.code, 1);
  assert.match(
    new TextDecoder().decode(output.stdout),
    /certificate file \\"\.\/certs\/cert\.pem\\" not found/,
  );
});
