import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";

/** Runs one of the database tools as the operator does, as its own process. */
async function runTool(main: string, args: string[]) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(main, import.meta.url).pathname, ...args],
    env: { MONGODB_URI: "" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: decode(output.stdout), stderr: decode(output.stderr) };
}

Deno.test("db:init and db:migrate run against a database named by --uri and report as JSON", async () => {
  await using t = await openTestDatabase("tool");
  const init = await runTool("./init_main.ts", ["--uri", t.uri]);
  assert.equal(init.code, 0, init.stderr);
  assert.match(init.stdout, /^indexes ready$/m);
  const report = JSON.parse(init.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual(report.created, ["readings_raw", "readings_1m", "readings_1h"]);
  const migrate = await runTool("./migrate_main.ts", ["--uri", t.uri]);
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.equal(JSON.parse(migrate.stdout.trim().split("\n").at(-1)!).read, 0);
});

Deno.test("db:init and db:migrate say what is wrong: no database, no server, a stray argument", async () => {
  for (const main of ["./init_main.ts", "./migrate_main.ts"]) {
    const none = await runTool(main, []);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^Cannot connect: .*\n\nUsage: deno task db:/);
    const stray = await runTool(main, ["extra"]);
    assert.equal(stray.code, 2);
    assert.match(stray.stderr, /^Usage: /);
    const closed = await runTool(main, ["--uri", "mongodb://127.0.0.1:9/fleetmon"]);
    assert.equal(closed.code, 1);
    assert.match(closed.stderr, /^Cannot connect \(mongodb:\/\/127\.0\.0\.1:9\/fleetmon\): /);
    const help = await runTool(main, ["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--uri +the database/);
  }
});
