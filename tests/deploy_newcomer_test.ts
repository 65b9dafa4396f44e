/**
 * The newcomer's path (issue 14, point 8): `--help` on every entry point; `deno task device` finds
 * the database `deno task start` runs without MONGODB_URI; the launcher restarts a crashed child
 * with backoff and says so; with CI set, a missing browser fails the browser test.
 */
import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { startService } from "@fleetmon/shared/supervisor";

const ROOT = new URL("..", import.meta.url).pathname;

/** The environment of a child that must find its database on its own. */
function envWithout(...names: string[]): Record<string, string> {
  const env = Deno.env.toObject();
  for (const name of names) delete env[name];
  return { ...env, NO_COLOR: "1" };
}

async function run(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    env,
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

const ENTRY_POINTS = [
  "start",
  "start:comm",
  "start:web",
  "start:lb",
  "agent",
  "sim",
  "device",
  "user",
  "db:local",
  "build",
];

Deno.test("every entry point explains itself with --help and exits 0", async () => {
  for (const task of ENTRY_POINTS) {
    const result = await run(["task", "--quiet", task, "--help"], envWithout());
    assert.equal(result.code, 0, `${task} --help: ${result.stderr}`);
    assert.match(result.stdout, /Usage: deno task /, `${task} --help says how to run it`);
  }
});

Deno.test("deno task device finds the database deno task start runs, and the launcher restarts a crashed node", async () => {
  await using database = await openTestDatabase("newcomer");
  const dataDir = await Deno.makeTempDir({ prefix: "fleetmon-newcomer-" });
  const fleet = await startService({
    name: "fleetmon",
    args: ["run", "--allow-all", `${ROOT}deploy/local/start.ts`, "--port-base=0"],
    cwd: ROOT,
    env: {
      FLEETMON_DATA_DIR: dataDir,
      FLEETMON_ADMIN_PASSWORD: "newcomer-password-1",
      MONGODB_URI: database.uri,
    },
    ready: (entry) => entry.msg === "fleetmon ready",
    readyTimeoutMs: 120_000,
  });
  try {
    const demo = fleet.readyEntry!.demoDevices as { id: string }[];
    assert.ok(demo.length > 0);
    const listed = await run(
      ["task", "--quiet", "device", "list"],
      { ...envWithout("MONGODB_URI"), FLEETMON_DATA_DIR: dataDir },
    );
    assert.equal(listed.code, 0, listed.stderr);
    for (const device of demo) assert.ok(listed.stdout.includes(device.id), listed.stdout);

    const ws1 = fleet.entries.find((e) => e.msg === "started" && e.service === "ws1");
    assert.equal(typeof ws1?.pid, "number", "the launcher says which process ws1 is");
    Deno.kill(ws1!.pid as number, "SIGKILL");
    const said = await fleet.waitFor((e) => e.msg === "ws1 exited unexpectedly; restarting it");
    assert.equal(said.level, "error");
    assert.equal(said.inMs, 1_000, "the first restart waits the base delay");
    await fleet.waitFor((e) => e.msg === "ws1 restarted", 60_000);
  } finally {
    const status = await fleet.stop(60_000);
    assert.equal(status.code, 0);
    await Deno.stat(`${dataDir}/local.json`).then(
      () => assert.fail("local.json outlived the launcher"),
      () => {},
    );
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("with CI set and no browser, the browser test fails instead of being skipped", async () => {
  const env = { ...envWithout(), FLEETMON_CHROMIUM: "/nonexistent/chromium" };
  const args = ["test", "--allow-all", "tests/web_browser_test.ts"];
  const skipped = await run(args, { ...env, CI: "" });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /1 ignored/);
  // deno test shows what a test module writes while loading as its "pre-test output".
  assert.match(
    skipped.stdout + skipped.stderr,
    /browser tests skipped: no \/nonexistent\/chromium/,
  );
  const failed = await run(args, { ...env, CI: "true" });
  assert.notEqual(failed.code, 0, "a CI run without a browser must fail");
  assert.match(failed.stdout, /\| 0 passed \| 1 failed/);
  assert.doesNotMatch(failed.stdout, /ignored/);
});
