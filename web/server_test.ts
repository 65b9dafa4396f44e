import assert from "node:assert/strict";
import { Hono } from "hono";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { ensureSelfSignedCert } from "./cert.ts";
import { createWebServer } from "./server.ts";

async function withCert(fn: (paths: { certFile: string; keyFile: string }) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-web-server-" });
  try {
    await fn(await ensureSelfSignedCert(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("the web server speaks HTTPS with the self-signed cert, which Deno's fetch accepts", async () => {
  await withCert(async ({ certFile, keyFile }) => {
    const app = new Hono<{ Bindings: { remoteAddr: Deno.NetAddr } }>();
    app.get("/peer", (c) => c.text(c.env.remoteAddr.hostname));
    await using server = await createWebServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      certFile,
      keyFile,
      app,
      logger: createMemoryLogger(),
    });
    assert.match(server.addr, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(server.addr, "127.0.0.1:0");
    using client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certFile)] });
    const response = await fetch(`https://localhost:${server.addr.split(":")[1]}/peer`, { client });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "127.0.0.1", "the app sees the peer's address");

    using untrusting = Deno.createHttpClient({});
    await assert.rejects(
      fetch(`https://localhost:${server.addr.split(":")[1]}/peer`, { client: untrusting }),
      "a client without the cert refuses it",
    );
  });
});

Deno.test("the web server fails at start with a clear message when the cert file is missing", async () => {
  await assert.rejects(
    createWebServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      certFile: "./no/such/cert.pem",
      keyFile: "./no/such/key.pem",
      app: new Hono(),
      logger: createMemoryLogger(),
    }),
    /certificate file "\.\/no\/such\/cert\.pem" not found \(working directory /,
  );
});

Deno.test("close waits for an in-flight request to finish", async () => {
  await withCert(async ({ certFile, keyFile }) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => entered = resolve);
    const app = new Hono();
    app.get("/slow", async (c) => {
      entered();
      await released;
      return c.text("done");
    });
    const server = await createWebServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      certFile,
      keyFile,
      app,
      logger: createMemoryLogger(),
    });
    using client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(certFile)] });
    const pending = fetch(`https://localhost:${server.addr.split(":")[1]}/slow`, { client });
    await inside;
    let closed = false;
    const closing = server.close().then(() => closed = true);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(closed, false, "close is still waiting");
    release();
    const response = await pending;
    assert.equal(await response.text(), "done");
    await closing;
    assert.equal(closed, true);
  });
});

/** Makes a second self-signed pair in `dir` (CN differs), returning its PEM certificate. */
async function newPair(dir: string): Promise<string> {
  await Deno.remove(`${dir}/cert.pem`);
  await Deno.remove(`${dir}/key.pem`);
  const { certFile } = await ensureSelfSignedCert(dir);
  return await Deno.readTextFile(certFile);
}

// That no connection is reset during the switch depends on the kernel (web/handover.ts):
// tests/web_reload_handover_test.ts shows it under load in a network namespace of its own.
Deno.test("reloadCertificate serves new connections with the new pair, and open ones finish on the old", async () => {
  await withCert(async ({ certFile, keyFile }) => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => entered = resolve);
    const app = new Hono();
    app.get("/", (c) => c.text("ok"));
    app.get("/slow", async (c) => {
      entered();
      await released;
      return c.text("slow ok");
    });
    await using server = await createWebServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      certFile,
      keyFile,
      app,
      logger: createMemoryLogger(),
    });
    const url = `https://localhost:${server.addr.split(":")[1]}/`;
    const oldPem = await Deno.readTextFile(certFile);
    using onlyOld = Deno.createHttpClient({ caCerts: [oldPem], poolMaxIdlePerHost: 0 });
    const slow = fetch(`${url}slow`, { client: onlyOld });
    await inside;
    const dir = certFile.slice(0, certFile.lastIndexOf("/"));
    const newPem = await newPair(dir);
    await server.reloadCertificate();
    using onlyNew = Deno.createHttpClient({ caCerts: [newPem], poolMaxIdlePerHost: 0 });
    for (let i = 0; i < 5; i++) {
      assert.equal(await (await fetch(url, { client: onlyNew })).text(), "ok");
    }
    await assert.rejects(
      fetch(url, { client: onlyOld }),
      "the old certificate is no longer served",
    );
    release();
    assert.equal(await (await slow).text(), "slow ok", "the open connection finished on the old");
  });
});

Deno.test("reloadCertificate refuses a key that does not match, and the running pair stays", async () => {
  await withCert(async ({ certFile, keyFile }) => {
    const app = new Hono();
    app.get("/", (c) => c.text("ok"));
    await using server = await createWebServer({
      listen: { hostname: "127.0.0.1", port: 0 },
      certFile,
      keyFile,
      app,
      logger: createMemoryLogger(),
    });
    const oldPem = await Deno.readTextFile(certFile);
    const oldKey = await Deno.readTextFile(keyFile);
    const dir = certFile.slice(0, certFile.lastIndexOf("/"));
    await newPair(dir);
    await Deno.writeTextFile(keyFile, oldKey); // new certificate, old key: a half-copied renewal
    await assert.rejects(server.reloadCertificate(), /KeyMismatch|key/i);
    using client = Deno.createHttpClient({ caCerts: [oldPem], poolMaxIdlePerHost: 0 });
    const url = `https://localhost:${server.addr.split(":")[1]}/`;
    assert.equal(await (await fetch(url, { client })).text(), "ok");
  });
});
