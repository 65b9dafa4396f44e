import assert from "node:assert/strict";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { apiLogin, testApp } from "../_testing.ts";
import { parseUserCommand, runUserCommand } from "./cli.ts";
import { listAudit } from "./audit.ts";

const BY = { actor: "cli:ops@host-1" };

const MAIN = new URL("./cli_main.ts", import.meta.url).pathname;
const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

Deno.test("deno task user add makes the first admin of a fresh database, who can sign in", async () => {
  await using t = await openTestDatabase();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      `--config=${CONFIG}`,
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      MAIN,
      "add",
      "root",
      "--password-stdin",
      "--json",
    ],
    env: { MONGODB_URI: t.uri, USER: "ops" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("first admin password\n"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const printed = JSON.parse(new TextDecoder().decode(stdout));
  assert.equal(printed.role, "admin", "the first user is an admin");
  assert.equal(printed.password, undefined, "a password from stdin is not echoed");
  await apiLogin(testApp(t.db), { username: "root", password: "first admin password" });
  const { entries } = await listAudit(t.db, { limit: 5 });
  assert.deepEqual(entries.map((e) => `${e.actor} ${e.action} ${e.target}`), [
    `cli:ops@${Deno.hostname()} user.add root`,
  ]);
});

Deno.test("deno task user set-role, disable and reset-password change the user at once", async () => {
  await using t = await openTestDatabase();
  const lines: string[] = [];
  const io = { out: (s: string) => lines.push(s), readPassword: () => Promise.resolve("unused") };
  await runUserCommand(t.db, parseUserCommand(["add", "root"]), io, BY);
  await runUserCommand(t.db, parseUserCommand(["add", "vera"]), io, BY);
  assert.match(lines[0], /^added root \(admin\); password \(shown once\): \S{20}$/);
  assert.match(lines[1], /^added vera \(viewer\)/);
  await runUserCommand(t.db, parseUserCommand(["set-role", "vera", "operator"]), io, BY);
  await runUserCommand(t.db, parseUserCommand(["disable", "vera"]), io, BY);
  await assert.rejects(
    runUserCommand(t.db, parseUserCommand(["disable", "root"]), io, BY),
    /only enabled admin/,
  );
  const reset: string[] = [];
  await runUserCommand(t.db, parseUserCommand(["reset-password", "root", "--json"]), {
    out: (s) => reset.push(s),
    readPassword: () => Promise.resolve(""),
  }, BY);
  const { password } = JSON.parse(reset[0]);
  await apiLogin(testApp(t.db), { username: "root", password });
  lines.length = 0;
  await runUserCommand(t.db, parseUserCommand(["list"]), io, BY);
  assert.deepEqual(lines.map((l) => l.replace(/\s+/g, " ")), [
    "root admin active",
    "vera operator disabled",
  ]);
  const { entries } = await listAudit(t.db, { limit: 10 });
  assert.deepEqual(
    entries.map((e) => `${e.actor} ${e.via} ${e.action} ${e.target}`).reverse(),
    [
      "cli:ops@host-1 cli user.add root",
      "cli:ops@host-1 cli user.add vera",
      "cli:ops@host-1 cli user.role vera",
      "cli:ops@host-1 cli user.disable vera",
      "cli:ops@host-1 cli user.password root",
    ],
  );
});

Deno.test("deno task user refuses bad usage with the reason", () => {
  assert.throws(() => parseUserCommand(["add"]), /takes 1 argument/);
  assert.throws(() => parseUserCommand(["add", "Bad Name"]), /Username "Bad Name" must be/);
  assert.throws(() => parseUserCommand(["set-role", "vera", "god"]), /Unknown role "god"/);
  assert.throws(() => parseUserCommand(["frobnicate"]), /Unknown command/);
  assert.equal(parseUserCommand(["--help"]).command, "help");
});
