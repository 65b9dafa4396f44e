import assert from "node:assert/strict";
import { ConfigError } from "@fleetmon/shared/errors";
import { loadWebConfig } from "./config.ts";

Deno.test("web config has relative cert paths and a loopback listen address by default", () => {
  const config = loadWebConfig(["--node", "ws0"], { MONGODB_URI: "mongodb://127.0.0.1:27017/fm" });
  assert.deepEqual(config, {
    node: "ws0",
    listen: { hostname: "127.0.0.1", port: 8101 },
    cert: "./certs/cert.pem",
    key: "./certs/key.pem",
    mongodbUri: "mongodb://127.0.0.1:27017/fm",
    logLevel: "info",
    sessionTtlMs: 43_200_000,
    publicOrigin: [],
    passwordWorkers: 1,
    lbAdmin: [],
    alerts: true,
    alertTickMs: 1_000,
    alertLeaseTtlMs: 10_000,
    smtpFrom: "fleetmon <fleetmon@localhost>",
  });
});

Deno.test("web config takes public origins as a comma-separated list and refuses non-origins", () => {
  const env = { MONGODB_URI: "mongodb://db/", WEB_NODE: "ws0" };
  const config = loadWebConfig(
    ["--public-origin", "https://fleet.example.com:8443, https://localhost:8443/"],
    env,
  );
  assert.deepEqual(config.publicOrigin, [
    "https://fleet.example.com:8443",
    "https://localhost:8443",
  ]);
  assert.throws(
    () => loadWebConfig(["--public-origin", "https://fleet.example.com/dashboard,ftp://x"], env),
    (error: ConfigError) =>
      error.problems.some((p) =>
        p.includes('"https://fleet.example.com/dashboard" is not an origin')
      ) &&
      error.problems.some((p) => p.includes('"ftp://x" is not an origin')),
  );
});

Deno.test("flags win over environment variables", () => {
  const config = loadWebConfig(
    ["--listen", "[::1]:0", "--session-ttl-ms", "60000", "--cert", "/etc/fm/c.pem"],
    {
      WEB_NODE: "ws1",
      WEB_LISTEN: "0.0.0.0:9000",
      MONGODB_URI: "mongodb://db/",
      LOG_LEVEL: "debug",
      WEB_KEY: "k.pem",
    },
  );
  assert.equal(config.node, "ws1");
  assert.deepEqual(config.listen, { hostname: "::1", port: 0 });
  assert.equal(config.sessionTtlMs, 60_000);
  assert.equal(config.cert, "/etc/fm/c.pem");
  assert.equal(config.key, "k.pem");
  assert.equal(config.logLevel, "debug");
});

Deno.test("a bad web config lists every problem at once", () => {
  let error: unknown;
  try {
    loadWebConfig(["--listen", "nowhere", "--session-ttl-ms", "5"], {
      LOG_LEVEL: "loud",
      WEB_NODE: "a b",
    });
  } catch (e) {
    error = e;
  }
  assert.ok(error instanceof ConfigError);
  const text = error.problems.join("\n");
  assert.match(text, /^node \(--node or WEB_NODE\): expected 1-64 of /m);
  assert.match(text, /^mongodbUri \(--mongodb-uri or MONGODB_URI\): required$/m);
  assert.match(
    text,
    /listen \(--listen or WEB_LISTEN\): Cannot parse address: "nowhere" is not host:port/,
  );
  assert.match(text, /logLevel \(--log-level or LOG_LEVEL\): /);
  assert.match(text, /sessionTtlMs \(--session-ttl-ms or WEB_SESSION_TTL_MS\): /);
  assert.throws(() => loadWebConfig(["--bogus"], {}), /command line: /);
});
