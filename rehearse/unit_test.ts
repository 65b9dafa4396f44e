import assert from "node:assert/strict";
import { formatEnvFile, parseEnvFile, parseUnit, vmCommand } from "./unit.ts";

const LB_UNIT = `[Service]
WorkingDirectory=/opt/fleetmon
ExecStart=/usr/local/bin/deno run --allow-net fleetmon-lb.js \\
  --config /etc/fleetmon/lb-%i.json
ExecReload=/bin/kill -HUP $MAINPID
`;

Deno.test("a unit's ExecStart is read with its continuation lines and %i replaced", () => {
  const unit = parseUnit(LB_UNIT, "comm");
  assert.deepEqual(unit.execStart, [
    "/usr/local/bin/deno",
    "run",
    "--allow-net",
    "fleetmon-lb.js",
    "--config",
    "/etc/fleetmon/lb-comm.json",
  ]);
  assert.equal(unit.workingDirectory, "/opt/fleetmon");
});

Deno.test("a unit's paths are moved into the VM's folder and deno is this deno", () => {
  const unit = parseUnit(
    "ExecStart=/usr/local/bin/deno run --config=/opt/fleetmon/deno.json x.js\n" +
      "EnvironmentFile=/etc/fleetmon/comm.env\n",
  );
  const cmd = vmCommand(unit, "/r/vms/cs0", "/bin/deno");
  assert.deepEqual(cmd.command, [
    "/bin/deno",
    "run",
    "--config=/r/vms/cs0/opt/fleetmon/deno.json",
    "x.js",
  ]);
  assert.equal(cmd.envFile, "/r/vms/cs0/etc/fleetmon/comm.env");
  assert.equal(cmd.cwd, "/r/vms/cs0");
});

Deno.test("a unit without ExecStart is refused", () => {
  assert.throws(() => parseUnit("[Service]\nRestart=always\n"), /no ExecStart/);
});

Deno.test("environment files round-trip and a line without KEY= is refused", () => {
  const env = { COMM_NODE: "cs0", MONGODB_URI: "mongodb://10.0.0.1:27017/x?a=b" };
  assert.deepEqual(parseEnvFile("# c\n\n" + formatEnvFile(env)), env);
  assert.throws(() => parseEnvFile("oops\n"), /no KEY=/);
});

Deno.test("an EnvironmentFile= with a leading - is optional, its path without the -", () => {
  const unit = parseUnit(
    "[Service]\nExecStart=/usr/local/bin/deno run x.js\nEnvironmentFile=-/etc/a.env\n",
  );
  assert.equal(unit.environmentFile, "/etc/a.env");
  assert.equal(unit.environmentFileOptional, true);
  const plain = parseUnit(
    "[Service]\nExecStart=/usr/local/bin/deno run x.js\nEnvironmentFile=/etc/a.env\n",
  );
  assert.equal(plain.environmentFileOptional, false);
  assert.equal(vmCommand(unit, "/vm", "/deno").envFile, "/vm/etc/a.env");
});
