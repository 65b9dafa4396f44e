import assert from "node:assert/strict";
import { ConfigError } from "@fleetmon/shared/errors";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { balancerOptionsFromConfig, loadLbConfig, settingsNeedingRestart } from "./config.ts";

const load = (args: string[], env: Record<string, string> = {}) => loadLbConfig(args, env);

const withoutHint = (problem: string) => problem.replace(/^(\S+) \([^)]*\):/, "$1:");

function problems(args: string[], env: Record<string, string> = {}): string[] {
  try {
    load(args, env);
  } catch (error) {
    // Without the "(--flag or LB_VAR)" hints, which shared/config_test.ts covers.
    if (error instanceof ConfigError) return error.problems.map(withoutHint);
    throw error;
  }
  assert.fail("expected a ConfigError");
}

Deno.test("lb config reads flags, with the issue's defaults for everything else", () => {
  const config = load([
    "--name",
    "lb-comm",
    "--listen",
    "0.0.0.0:7000",
    "--backend",
    "127.0.0.1:7101",
  ]);
  assert.equal(config.name, "lb-comm");
  assert.deepEqual(config.listen, { hostname: "0.0.0.0", port: 7000 });
  assert.deepEqual(config.admin, { hostname: "127.0.0.1", port: 0 });
  assert.deepEqual(
    [config.check, config.checkIntervalMs, config.checkTimeoutMs, config.rise, config.fall],
    ["tcp", 1000, 1000, 2, 3],
  );
  assert.deepEqual(config.backend, [{
    id: "127.0.0.1:7101",
    address: { hostname: "127.0.0.1", port: 7101 },
  }]);
  assert.equal(config.engine, "auto");
});

Deno.test("lb config takes the engine from --engine or LB_ENGINE, and refuses an unknown one", () => {
  const base = ["--listen=127.0.0.1:7000", "--backend=127.0.0.1:7101"];
  assert.equal(load([...base, "--engine=deno"]).engine, "deno");
  assert.equal(load(base, { LB_ENGINE: "epoll" }).engine, "epoll");
  const [problem] = problems([...base, "--engine=io_uring"]);
  assert.match(problem, /^engine: .*"auto"/);
});

Deno.test("lb config turns quick ACKs on by --quick-ack, LB_QUICK_ACK or the file, off by default, never for the deno engine", async () => {
  const base = ["--listen=127.0.0.1:7000", "--backend=127.0.0.1:7101"];
  assert.equal(load(base).quickAck, false);
  assert.equal(balancerOptionsFromConfig(load(base), createMemoryLogger()).quickAck, false);
  const on = load([...base, "--quick-ack=true"]);
  assert.equal(balancerOptionsFromConfig(on, createMemoryLogger()).quickAck, true);
  assert.equal(load(base, { LB_QUICK_ACK: "yes" }).quickAck, true);
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify({ quickAck: true }));
    assert.equal(load([...base, `--config=${file}`]).quickAck, true);
  } finally {
    await Deno.remove(file);
  }
  assert.match(problems([...base, "--quick-ack=sometimes"])[0], /^quickAck: /);
  assert.deepEqual(problems([...base, "--quick-ack=true", "--engine=deno"]), [
    "quickAck: quick ACKs need the epoll engine (the deno engine cannot set them)",
  ]);
  assert.deepEqual(settingsNeedingRestart(load(base), on), ["quickAck"]);
});

Deno.test("lb config reads backends with an id, a check address or port, and a PROXY version", () => {
  const config = load([
    "--listen=127.0.0.1:7000",
    "--backend=cs0=127.0.0.1:7101,check=7111,proxy=v2",
    "--backend=cs1=[::1]:7102,check=127.0.0.2:7112",
    "--proxy-protocol=v1",
    "--check=http",
  ]);
  const options = balancerOptionsFromConfig(config, createMemoryLogger());
  assert.deepEqual(options.backends, [
    {
      id: "cs0",
      address: { hostname: "127.0.0.1", port: 7101 },
      check: { hostname: "127.0.0.1", port: 7111 },
      proxyProtocol: "v2",
    },
    {
      id: "cs1",
      address: { hostname: "::1", port: 7102 },
      check: { hostname: "127.0.0.2", port: 7112 },
      proxyProtocol: "v1",
    },
  ]);
  assert.deepEqual(options.check, {
    kind: "http",
    path: "/healthz",
    tls: false,
    host: undefined,
    caCerts: undefined,
  });
});

Deno.test("lb config takes LB_* environment variables, flags winning over them", () => {
  const config = load(["--rise", "5"], {
    LB_LISTEN: "127.0.0.1:7000",
    LB_BACKENDS: "ws0=127.0.0.1:8101 ws1=127.0.0.1:8102,check=9102",
    LB_RISE: "4",
    LB_CHECK_INTERVAL_MS: "250",
    LB_ADMIN: "off",
    LB_CHECK: "expect",
    LB_CHECK_SEND: "PING\\r\\n",
    LB_CHECK_EXPECT: "PONG\\x0a",
  });
  assert.deepEqual(config.backend.map((b) => b.id), ["ws0", "ws1"]);
  assert.equal(config.rise, 5);
  assert.equal(config.checkIntervalMs, 250);
  const options = balancerOptionsFromConfig(config, createMemoryLogger());
  assert.equal(options.admin, null);
  assert.deepEqual(options.check, {
    kind: "expect",
    send: new TextEncoder().encode("PING\r\n"),
    expect: new TextEncoder().encode("PONG\n"),
  });
});

Deno.test("lb config reads a JSON file with backends as strings or objects", () => {
  const path = Deno.makeTempFileSync({ suffix: ".json" });
  try {
    Deno.writeTextFileSync(
      path,
      JSON.stringify({
        name: "lb-web",
        listen: "0.0.0.0:8443",
        admin: "127.0.0.1:9001",
        check: "https",
        checkPath: "/health",
        backend: [
          "ws0=10.0.0.20:8443",
          { id: "ws1", address: "10.0.0.21:8443", check: "10.0.0.21:9443" },
        ],
        maxConnections: 500,
      }),
    );
    const config = load(["--config", path, "--max-connections", "600"]);
    assert.equal(config.name, "lb-web");
    assert.equal(config.maxConnections, 600);
    assert.deepEqual(config.backend[1].check, { hostname: "10.0.0.21", port: 9443 });
    const options = balancerOptionsFromConfig(config, createMemoryLogger());
    assert.deepEqual(options.check, {
      kind: "http",
      path: "/health",
      tls: true,
      host: undefined,
      caCerts: undefined,
    });
  } finally {
    Deno.removeSync(path);
  }
});

Deno.test("lb config lists every problem at once", () => {
  const found = problems([
    "--listen=nowhere",
    "--backend=a=127.0.0.1:1",
    "--backend=a=127.0.0.1:2,weight=3",
    "--rise=0",
    "--check=smoke",
    "--proxy-protocol=v3",
  ]);
  assert.equal(found.length, 5, found.join("\n"));
  assert.match(found.join("\n"), /listen: Cannot parse address: "nowhere"/);
  assert.match(found.join("\n"), /backend\.1: Cannot parse backend .*unknown option "weight"/);
  assert.match(found.join("\n"), /rise: /);
  assert.match(found.join("\n"), /check: /);
  assert.match(found.join("\n"), /proxyProtocol: /);
});

Deno.test("lb config refuses a non-loopback admin address without a token", () => {
  const base = ["--listen=127.0.0.1:7000", "--backend=127.0.0.1:7101"];
  assert.deepEqual(problems([...base, "--admin=0.0.0.0:9000"]), [
    "admin: a non-loopback admin address needs an admin token",
  ]);
  const config = load([...base, "--admin=0.0.0.0:9000", "--admin-token=long-enough-token"]);
  assert.equal(config.adminToken, "long-enough-token");
});

Deno.test("lb config refuses duplicate ids, an expect check with nothing to expect, and https on a PROXY port", () => {
  const base = ["--listen=127.0.0.1:7000"];
  assert.match(
    problems([...base, "--backend=a=127.0.0.1:1", "--backend=a=127.0.0.1:2"]).join(),
    /backend ids must be unique/,
  );
  assert.match(
    problems([...base, "--backend=127.0.0.1:1", "--check=expect"]).join(),
    /an expect check needs the bytes to expect/,
  );
  assert.match(
    problems([...base, "--backend=w=127.0.0.1:1,proxy=v2", "--check=https"]).join(),
    /w: an https check cannot go to a PROXY protocol port/,
  );
  assert.match(problems(base).join(), /backend: /);
  assert.throws(() => load([], {}), /backend \(--backend or LB_BACKENDS\): required/);
});

Deno.test("lb config names the settings a reload cannot change, and not the backends it can", () => {
  const running = load(["--listen=127.0.0.1:7000", "--backend=a=127.0.0.1:7101"]);
  const next = load([
    "--listen=127.0.0.1:7001",
    "--backend=a=127.0.0.1:7101",
    "--backend=b=127.0.0.1:7102",
    "--proxy-protocol=v2",
    "--check-interval-ms=500",
  ]);
  assert.deepEqual(settingsNeedingRestart(running, next), ["listen", "checkIntervalMs"]);
  assert.deepEqual(settingsNeedingRestart(running, running), []);
});
