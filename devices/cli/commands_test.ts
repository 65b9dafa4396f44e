import assert from "node:assert/strict";
import { auditCollection, cliActor, collections, sha256Hex } from "@fleetmon/shared/db";
import { openTestDatabase } from "@fleetmon/shared/testing";
import { parseCommand, runCommand } from "./commands.ts";
import { ago, formatTable } from "./table.ts";

const CLI = { actor: "cli:ops@host-1" };

Deno.test("the command line is read into one command, or refused with the reason", () => {
  assert.deepEqual(parseCommand(["add", "pump-1", "--name", "Pump 1"]), {
    command: "add",
    id: "pump-1",
    name: "Pump 1",
    json: false,
    mongodbUri: undefined,
  });
  assert.equal(parseCommand(["list", "--json"]).json, true);
  assert.equal(parseCommand([]).command, "help");
  assert.equal(parseCommand(["rotate", "x", "--help"]).command, "help");
  assert.throws(() => parseCommand(["remove", "x"]), /Unknown command "remove"/);
  assert.throws(() => parseCommand(["disable"]), /disable command needs a device id/);
  assert.throws(() => parseCommand(["list", "x"]), /Unexpected argument "x"/);
  assert.throws(() => parseCommand(["rotate", "x", "y"]), /Unexpected argument "y"/);
  assert.throws(() => parseCommand(["rotate", "x", "--name", "n"]), /Only the add command/);
  assert.throws(() => parseCommand(["add", "x", "--bogus"]), /bogus/);
});

Deno.test("add prints a token that is stored only as its hash; rotate replaces it", async () => {
  await using t = await openTestDatabase();
  const lines: string[] = [];
  const output = { out: (text: string) => lines.push(text) };
  await runCommand(
    t.db,
    parseCommand(["add", "pump-1", "--name", "Pump 1", "--json"]),
    output,
    CLI,
  );
  const added = JSON.parse(lines[0]);
  assert.equal(added.device, "pump-1");
  const stored = await collections(t.db).devices.findOne({ _id: "pump-1" });
  assert.equal(stored?.tokenHash, await sha256Hex(added.token));
  assert.equal(stored?.name, "Pump 1");

  await runCommand(t.db, parseCommand(["rotate", "pump-1"]), output, CLI);
  const rotated = /^\s+(fm_\S+)$/m.exec(lines[1])![1];
  assert.notEqual(rotated, added.token);
  const after = await collections(t.db).devices.findOne({ _id: "pump-1" });
  assert.equal(after?.tokenHash, await sha256Hex(rotated));

  await assert.rejects(
    runCommand(t.db, parseCommand(["add", "pump-1"]), output, CLI),
    /"pump-1" already exists/,
  );
  await assert.rejects(
    runCommand(t.db, parseCommand(["rotate", "nope"]), output, CLI),
    /"nope" does/,
  );
});

Deno.test("disable and enable flip the device; list shows it", async () => {
  await using t = await openTestDatabase();
  const lines: string[] = [];
  const output = { out: (text: string) => lines.push(text) };
  await runCommand(t.db, parseCommand(["list"]), output, CLI);
  assert.match(lines.pop()!, /No devices/);
  await runCommand(t.db, parseCommand(["add", "a-1"]), output, CLI);
  await runCommand(t.db, parseCommand(["add", "b-2"]), output, CLI);
  await runCommand(t.db, parseCommand(["disable", "b-2"]), output, CLI);
  assert.equal(lines.pop(), "Device b-2 is disabled.");
  await runCommand(t.db, parseCommand(["list"]), output, CLI);
  const table = lines.pop()!.split("\n");
  assert.match(table[0], /^DEVICE\s+NAME\s+ENABLED\s+LAST SEEN\s+NODE\s+METRICS$/);
  assert.match(table[1], /^a-1\s+a-1\s+yes\s+never\s+-\s+0$/);
  assert.match(table[2], /^b-2\s+b-2\s+no\s+never/);
  assert.equal(table[3], "2 devices");
  await runCommand(t.db, parseCommand(["enable", "b-2"]), output, CLI);
  await runCommand(t.db, parseCommand(["list", "--json"]), output, CLI);
  assert.deepEqual(JSON.parse(lines.pop()!), {
    device: "b-2",
    name: "b-2",
    enabled: true,
    lastSeen: null,
    lastNode: null,
    lastSeq: null,
  });
  assert.ok(!lines.some((l) => l.includes("tokenHash")));
});

Deno.test("tables pad columns and ages read naturally", () => {
  assert.equal(formatTable(["A", "BB"], [["xxx", "y"], ["z", ""]]), "A    BB\nxxx  y\nz");
  const now = Date.UTC(2026, 0, 2);
  assert.equal(ago(undefined, now), "never");
  assert.equal(ago(new Date(now - 5_000), now), "5 s ago");
  assert.equal(ago(new Date(now - 600_000), now), "10 min ago");
  assert.equal(ago(new Date(now - 3 * 3_600_000), now), "3 h ago");
  assert.equal(ago(new Date(now - 86_400_000 * 3), now), "3 d ago");
});

Deno.test("every device change from the command line is in the audit log as cli:<user>@<host>", async () => {
  await using t = await openTestDatabase();
  const output = { out: () => {} };
  const actor = cliActor("ops", "host-1");
  const start = Date.parse("2026-12-02T10:00:00Z");
  let minute = 0;
  const run = (args: string[]) =>
    runCommand(t.db, parseCommand(args), output, { actor, now: start + 60_000 * minute++ });
  await run(["add", "pump-1", "--name", "Pump 1"]);
  await run(["disable", "pump-1"]);
  await run(["enable", "pump-1"]);
  await run(["rotate", "pump-1"]);
  await run(["list"]);
  await assert.rejects(run(["add", "pump-1"]));

  const entries = await auditCollection(t.db).find({}).sort({ _id: 1 }).toArray();
  assert.deepEqual(
    entries.map((e) => [e.actor, e.via, e.action, e.target]),
    [
      ["cli:ops@host-1", "cli", "device.register", "pump-1"],
      ["cli:ops@host-1", "cli", "device.disable", "pump-1"],
      ["cli:ops@host-1", "cli", "device.enable", "pump-1"],
      ["cli:ops@host-1", "cli", "device.token_rotate", "pump-1"],
    ],
    "a list or a refused add writes nothing",
  );
  assert.deepEqual(entries[0].detail, { name: "Pump 1" });
  assert.equal(entries[0].at.toISOString(), "2026-12-02T10:00:00.000Z");
  assert.equal(cliActor(undefined, "h"), "cli:unknown@h");
});
