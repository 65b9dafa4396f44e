/**
 * The MongoDB tier's scripts without MongoDB (it cannot be installed on this build machine): the
 * shell script runs against a stand-in `mongosh` that records its calls, and the mongosh scripts
 * run against stand-ins for `db`, `sh` and `rs` that answer as MongoDB does, including the
 * localhost exception's refusals. What only a real cluster shows is in docs/deploy.md, steps 3-5.
 */
import assert from "node:assert/strict";
import { PORTS, VMS } from "../plan.ts";
import { READINGS_SHARD_KEY } from "../db/init.ts";

const DIR = new URL(".", import.meta.url).pathname;
const DB_IPS = VMS.filter((vm) => vm.role === "db").map((vm) => vm.ip);

Deno.test("init_replica_sets.sh initiates four sets, a member on each DB VM, each shard preferring another VM, with a client certificate", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "fleetmon-mongosh-" });
  try {
    // The stand-in writes each call's arguments NUL-separated, and an RS (\x1e) after each call.
    await Deno.writeTextFile(
      `${tmp}/mongosh`,
      `#!/bin/sh\nprintf '%s\\0' "$@" >> "${tmp}/calls"\nprintf '\\036' >> "${tmp}/calls"\n`,
      { mode: 0o755 },
    );
    const run = await new Deno.Command("sh", {
      args: [`${DIR}init_replica_sets.sh`],
      env: { PATH: `${tmp}:/usr/bin:/bin` },
      clearEnv: true,
    }).output();
    assert.ok(run.success, new TextDecoder().decode(run.stderr));
    const calls = (await Deno.readTextFile(`${tmp}/calls`)).split("\x1e").slice(0, -1)
      .map((line) => line.split("\0").filter((arg) => arg !== ""));
    assert.equal(calls.length, 8, "four rs.initiate, four waits for a primary");
    for (const args of calls) {
      assert.ok(args.includes("--tls"));
      assert.equal(
        args[args.indexOf("--tlsCertificateKeyFile") + 1],
        "/etc/mongodb/tls/member.pem",
      );
      assert.equal(args[args.indexOf("--tlsCAFile") + 1], "/etc/mongodb/tls/ca.pem");
    }
    const configs: {
      _id: string;
      configsvr: boolean;
      members: { host: string; priority: number }[];
    }[] = [];
    for (const args of calls.slice(0, 4)) {
      new Function("rs", args[args.indexOf("--eval") + 1])({
        initiate: (config: (typeof configs)[number]) => configs.push(config),
      });
    }
    const expected = [
      ["cfg", PORTS.configsvr, true, 0],
      ["shard0", PORTS.shards[0], false, 0],
      ["shard1", PORTS.shards[1], false, 1],
      ["shard2", PORTS.shards[2], false, 2],
    ] as const;
    for (const [i, [name, port, configsvr, preferred]] of expected.entries()) {
      assert.equal(configs[i]._id, name);
      assert.equal(configs[i].configsvr, configsvr);
      assert.deepEqual(configs[i].members.map((m) => m.host), DB_IPS.map((ip) => `${ip}:${port}`));
      assert.deepEqual(
        configs[i].members.map((m) => m.priority),
        [0, 1, 2].map((m) => m === preferred ? 2 : 1),
      );
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

/** Stand-ins for mongosh's globals; `usersExist` says whether the localhost exception is gone. */
function mongoshStandIn(env: Record<string, string>, usersExist: boolean) {
  const calls: string[] = [];
  let authenticated = false;
  const guard = (command: string) => {
    if (!authenticated) {
      throw new Error(`MongoServerError: command ${command} requires authentication`);
    }
  };
  const database = (name: string) => ({
    getUser: (user: string) => (guard("usersInfo"), calls.push(`getUser ${name}.${user}`), null),
    getRole: (role: string) => (guard("rolesInfo"), calls.push(`getRole ${name}.${role}`), null),
    createUser: (spec: { user: string; roles: unknown[] }) => {
      if (usersExist && !authenticated) guard("createUser");
      calls.push(`createUser ${name}.${spec.user} ${JSON.stringify(spec.roles)}`);
    },
    createRole: (spec: { role: string; privileges: { actions: string[] }[] }) => {
      guard("createRole");
      calls.push(`createRole ${spec.role} ${spec.privileges.flatMap((p) => p.actions).join(",")}`);
    },
    auth: (user: string, password: string) => {
      assert.equal(password, env.DBA_PASSWORD);
      authenticated = true;
      calls.push(`auth ${user}`);
    },
  });
  const sh = new Proxy({}, {
    get: (_, method: string) => (...args: unknown[]) => {
      guard(method);
      calls.push(`sh.${method} ${JSON.stringify(args)}`);
    },
  });
  const globals = {
    db: { getSiblingDB: database },
    sh,
    print: () => {},
    printjson: () => {},
    quit: (code: number) => {
      throw new Error(`quit(${code})`);
    },
    process: { env },
  };
  const run = (script: string) =>
    new Function(...Object.keys(globals), Deno.readTextFileSync(`${DIR}${script}`))(
      ...Object.values(globals),
    );
  return { calls, run };
}

const PASSWORDS = {
  DBA_PASSWORD: "dba-password-0123456789",
  COMM_PASSWORD: "comm-password-0123456789",
  WEB_PASSWORD: "web-password-0123456789",
  OPERATOR_PASSWORD: "operator-password-0123",
};

Deno.test("init_cluster.js makes the administrator under the localhost exception, then adds the plan's shards and shards readings as db:init does", () => {
  for (const usersExist of [false, true]) {
    const { calls, run } = mongoshStandIn(PASSWORDS, usersExist);
    run("init_cluster.js");
    assert.equal(
      calls[0],
      usersExist ? "auth fleetmon-dba" : 'createUser admin.fleetmon-dba ["root"]',
      "nothing but createUser before authenticating",
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith("sh.addShard")),
      PORTS.shards.map((port, i) =>
        `sh.addShard ${
          JSON.stringify([`shard${i}/${DB_IPS.map((ip) => `${ip}:${port}`).join(",")}`])
        }`
      ),
    );
    assert.deepEqual(
      calls.filter((c) => c.startsWith("sh.shardCollection")),
      ["readings_raw", "readings_1m", "readings_1h"].map((name) =>
        `sh.shardCollection ${JSON.stringify([`fleetmon.${name}`, READINGS_SHARD_KEY])}`
      ),
    );
  }
});

Deno.test("users.js authenticates as the administrator first and grants no drop or user management", () => {
  const { calls, run } = mongoshStandIn(PASSWORDS, true);
  run("users.js");
  assert.equal(calls[0], "auth fleetmon-dba");
  const granted = calls.filter((c) => c.startsWith("createRole")).join(" ");
  assert.doesNotMatch(granted, /drop|createUser|grantRole|dropDatabase/);
  assert.deepEqual(
    calls.filter((c) => c.startsWith("createUser")).map((c) => c.split(" ").slice(1).join(" ")),
    [
      'fleetmon.fleetmon-comm [{"role":"fleetmonNode","db":"admin"}]',
      'fleetmon.fleetmon-web [{"role":"fleetmonWeb","db":"admin"}]',
      'fleetmon.fleetmon-operator [{"role":"fleetmonOperator","db":"admin"}]',
    ],
  );
  // What web/cluster/database.ts runs beyond reads and writes: $collStats and listShards.
  const webRole = calls.find((c) => c.startsWith("createRole fleetmonWeb "))!;
  assert.match(webRole, /collStats/);
  assert.match(webRole, /listShards/);
  assert.doesNotMatch(calls.find((c) => c.startsWith("createRole fleetmonNode "))!, /listShards/);
  assert.throws(
    () => mongoshStandIn({ ...PASSWORDS, DBA_PASSWORD: "" }, true).run("users.js"),
    /quit\(2\)/,
  );
});
