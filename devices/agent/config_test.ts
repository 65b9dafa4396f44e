import assert from "node:assert/strict";
import { ConfigError } from "@fleetmon/shared/errors";
import { loadAgentConfig, readToken } from "./config.ts";

Deno.test("agent config takes flags over env and has gentle defaults", () => {
  const config = loadAgentConfig(
    ["--device", "host-1", "--token", "fm_x", "--interval-ms", "5000"],
    {
      FLEETMON_TARGET: "10.0.0.1:7000",
      FLEETMON_INTERVAL_MS: "60000",
      FLEETMON_MOUNTS: "/, /data",
    },
  );
  assert.deepEqual(config.target, { hostname: "10.0.0.1", port: 7000 });
  assert.equal(config.intervalMs, 5_000);
  assert.deepEqual(config.mounts, ["/", "/data"]);
  assert.equal(config.bufferFile, undefined);
  assert.equal(config.bufferLimit, 50_000);
  assert.equal(readToken(config), "fm_x");
});

Deno.test("agent config lists every problem at once", () => {
  assert.throws(
    () =>
      loadAgentConfig(["--device", "bad device", "--interval-ms", "10", "--mounts", "data"], {}),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      const text = error.problems.join("\n");
      assert.match(text, /^device \(--device or FLEETMON_DEVICE\): expected 1-64/m);
      assert.match(text, /^intervalMs /m);
      assert.match(
        text,
        /^mounts\.0 \(--mounts or FLEETMON_MOUNTS\): mount points are absolute paths/m,
      );
      assert.match(text, /^token \(--token or FLEETMON_TOKEN\): give the device token/m);
      return true;
    },
  );
});

Deno.test("under systemd the token comes from the credentials directory", () => {
  const config = loadAgentConfig([], {
    FLEETMON_DEVICE: "host-1",
    CREDENTIALS_DIRECTORY: "/run/credentials/fleetmon-agent.service",
  });
  assert.equal(config.tokenFile, "/run/credentials/fleetmon-agent.service/token");
  assert.equal(readToken(config, () => "fm_secret\n"), "fm_secret");
  assert.throws(() => readToken(config, () => "\n"), /token file .* is empty/);
});
