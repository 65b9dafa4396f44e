/**
 * The per-VM files in deploy/ against the tiers' own configuration loaders and the units' rules:
 * a typo in an env file or an lb JSON file fails here, not on a VM. The units' rules are checked
 * line by line here; systemd_test.ts has systemd-analyze read them.
 */
import assert from "node:assert/strict";
import { loadCommConfig } from "@fleetmon/comm";
import { loadLbConfig } from "@fleetmon/lb";
import { handoverRisk, loadWebConfig } from "@fleetmon/web";
import { PORTS, VMS } from "./plan.ts";

const DEPLOY = new URL(".", import.meta.url).pathname;
const read = (path: string) => Deno.readTextFileSync(`${DEPLOY}${path}`);

function envFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read(path).split("\n")) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    assert.match(line, /^[A-Z_]+=[^ ]*$/, `${path}: one KEY=value a line: ${line}`);
    env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return env;
}

Deno.test("comm.env and web.env load with the tiers' own loaders, node ids from the host name", () => {
  const comm = loadCommConfig([], envFile("files/comm/etc/fleetmon/comm.env"));
  assert.equal(comm.node, Deno.hostname().split(".")[0], "no COMM_NODE: a clone is a new node");
  assert.equal(comm.proxyProtocol, true, "lb-comm.json sends PROXY v2");
  assert.equal(comm.listen.port, PORTS.comm);
  assert.deepEqual(comm.health, { hostname: "0.0.0.0", port: PORTS.commHealth });
  assert.match(comm.mongodbUri, /^mongodb:\/\/fleetmon-comm@127\.0\.0\.1:27017\/fleetmon$/);
  const web = loadWebConfig([], envFile("files/web/etc/fleetmon/web.env"));
  assert.equal(web.node, Deno.hostname().split(".")[0]);
  assert.equal(web.listen.port, PORTS.web);
  assert.match(web.mongodbUri, /^mongodb:\/\/fleetmon-web@127\.0\.0\.1:27017\/fleetmon$/);
});

Deno.test("the LBs' JSON files load, and name the address plan's backends", () => {
  const ip = (name: string) => VMS.find((v) => v.name === name)!.ip;
  const comm = loadLbConfig(["--config", `${DEPLOY}files/lb-comm/etc/fleetmon/lb-comm.json`], {});
  assert.equal(comm.proxyProtocol, "v2");
  assert.deepEqual(
    comm.backend.map((b) => `${b.id}=${b.address.hostname}:${b.address.port}`),
    [`cs0=${ip("cs0")}:${PORTS.comm}`, `cs1=${ip("cs1")}:${PORTS.comm}`],
  );
  assert.ok(comm.backend.every((b) => b.check?.port === PORTS.commHealth));
  assert.equal(comm.quickAck, false);
  // lb-web.json names its CA file at its VM path; load it with a CA file that exists here.
  const web = JSON.parse(read("files/lb-web/etc/fleetmon/lb-web.json"));
  assert.equal(web.checkCaFile, "/etc/fleetmon/web-ca.pem");
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/ca.pem`, "-----BEGIN CERTIFICATE-----\n");
    Deno.writeTextFileSync(
      `${dir}/lb-web.json`,
      JSON.stringify({ ...web, checkCaFile: `${dir}/ca.pem` }),
    );
    const loaded = loadLbConfig(["--config", `${dir}/lb-web.json`], {});
    assert.equal(loaded.check, "https");
    // The web nodes serve TLS with Nagle on: lb(web) ACKs at once; lb(comm) need not.
    assert.equal(loaded.quickAck, true);
    assert.deepEqual(loaded.backend.map((b) => b.address.hostname), [ip("ws0"), ip("ws1")]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("fleetmon's server units run as fleetmon, stop on a config error, and reload where they can", () => {
  const units = {
    "fleetmon-comm.service": { credential: true, reload: false },
    "fleetmon-web.service": { credential: true, reload: true },
    "fleetmon-lb@.service": { credential: false, reload: true },
  };
  for (const [name, expect] of Object.entries(units)) {
    const text = read(`systemd/${name}`);
    const lines = text.split("\n");
    const has = (line: string) => lines.includes(line);
    assert.ok(has("User=fleetmon"), `${name}: an unprivileged user`);
    assert.ok(
      !lines.some((l) => l.startsWith("DynamicUser=yes")),
      `${name}: a user that can own the key`,
    );
    assert.ok(has("RestartPreventExitStatus=2"), `${name}: exit 2 (config) is not retried`);
    assert.ok(has("NoNewPrivileges=yes") && has("ProtectSystem=strict"), `${name}: sandboxed`);
    assert.equal(
      has("LoadCredential=mongodb-password:/etc/fleetmon/mongodb-password"),
      expect.credential,
      `${name}: the database password as a credential`,
    );
    assert.equal(has("ExecReload=/bin/kill -HUP $MAINPID"), expect.reload, `${name}: reload`);
    assert.ok(!/MONGODB_URI=.*:[^@/]*@/.test(text), `${name}: no password in the unit`);
  }
});

const mongoOnPath = ["mongod", "mongosh"].every((bin) =>
  (Deno.env.get("PATH") ?? "").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${bin}`).isFile;
    } catch {
      return false;
    }
  })
);

Deno.test({
  name: "the MongoDB tier's scripts parse in mongosh (skipped without mongod and mongosh: " +
    "MongoDB cannot be installed on this build machine; docs/deploy.md steps 3-5 are the commands)",
  ignore: !mongoOnPath,
  async fn() {
    const shell = await new Deno.Command("sh", {
      args: ["-n", `${DEPLOY}mongo/init_replica_sets.sh`],
    })
      .output();
    assert.ok(shell.success, new TextDecoder().decode(shell.stderr));
    for (const script of ["init_cluster.js", "users.js"]) {
      const path = `${DEPLOY}mongo/${script}`;
      const check = await new Deno.Command("mongosh", {
        args: [
          "--nodb",
          "--quiet",
          "--eval",
          `new Function(require("fs").readFileSync(${JSON.stringify(path)}, "utf8"))`,
        ],
      }).output();
      assert.ok(check.success, `${script}: ${new TextDecoder().decode(check.stderr)}`);
    }
  },
});

Deno.test("the web VMs' sysctl file makes a certificate reload hand queued connections over", () => {
  const text = read("files/web/etc/sysctl.d/60-fleetmon-web.conf");
  const setting = text.split("\n").find((l) => l.startsWith("net.ipv4.tcp_migrate_req"));
  assert.ok(setting, "the file sets net.ipv4.tcp_migrate_req");
  assert.equal(handoverRisk(setting.split("=")[1]), undefined);
});

Deno.test("step 10's settings load: web names both LBs' admin APIs, each LB serves its own address with a token", () => {
  const lines = read("files/web/etc/fleetmon/web.env").split("\n");
  const optional = lines.filter((l) => l.startsWith("# WEB_LB_ADMIN")).map((l) => l.slice(2));
  assert.equal(optional.length, 2, "web.env holds step 10's two lines, commented out");
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/web.env`, [...lines, ...optional].join("\n"));
    const env: Record<string, string> = {};
    for (const line of Deno.readTextFileSync(`${dir}/web.env`).split("\n")) {
      if (/^[A-Z_]+=/.test(line)) {
        env[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
      }
    }
    const web = loadWebConfig([], env);
    const ip = (name: string) => VMS.find((v) => v.name === name)!.ip;
    assert.deepEqual(web.lbAdmin, [
      { name: "lb-comm", url: `http://${ip("lb-comm")}:${PORTS.lbAdmin}` },
      { name: "lb-web", url: `http://${ip("lb-web")}:${PORTS.lbAdmin}` },
    ]);
    assert.equal(web.lbAdminTokenFile, "/etc/fleetmon/{name}.admin-token");
    // lb-comm as step 10 leaves it: admin on its own address, the token from lb-comm-admin.env.
    const lbFile = JSON.parse(read("files/lb-comm/etc/fleetmon/lb-comm.json"));
    Deno.writeTextFileSync(
      `${dir}/lb-comm.json`,
      JSON.stringify({ ...lbFile, admin: `${ip("lb-comm")}:${PORTS.lbAdmin}` }),
    );
    const lb = loadLbConfig(["--config", `${dir}/lb-comm.json`], {
      LB_ADMIN_TOKEN: "0123456789abcdef0123456789abcdef",
    });
    assert.equal(lb.adminToken, "0123456789abcdef0123456789abcdef");
    assert.throws(() => loadLbConfig(["--config", `${dir}/lb-comm.json`], {}), /admin token/);
    assert.ok(
      read("systemd/fleetmon-lb@.service").split("\n").includes(
        "EnvironmentFile=-/etc/fleetmon/lb-%i-admin.env",
      ),
      "the unit reads the token's env file when there is one",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
