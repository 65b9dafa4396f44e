/**
 * The operator CLI and the host agent as processes: a device is added with `deno task device`,
 * its token given to the agent, and this machine's real figures arrive through lb(comm).
 */
import assert from "node:assert/strict";
import { collections } from "@fleetmon/shared/db";
import { storedReadings } from "@fleetmon/shared/testing";
import { eventually, startDeviceStack } from "./_devices_stack.ts";

const ROOT = new URL("..", import.meta.url).pathname;

async function runCli(args: string[], env: Record<string, string>) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-read",
      "--allow-sys",
      `${ROOT}devices/cli/main.ts`,
      ...args,
    ],
    env: { NO_COLOR: "1", ...env },
    clearEnv: false,
    stdin: "null",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: output.code, stdout: text(output.stdout), stderr: text(output.stderr) };
}

function startAgent(args: string[]) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${ROOT}devices/agent/main.ts`, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: Record<string, unknown>[] = [];
  const output = (async () => {
    let rest = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (rest + chunk).split("\n");
      rest = parts.pop()!;
      for (const line of parts) if (line) lines.push(JSON.parse(line));
    }
  })();
  const errors = new Response(child.stderr).text();
  return {
    child,
    lines,
    done: Promise.all([child.status, output, errors]).then(([status, , stderr]) => ({
      status,
      stderr,
    })),
  };
}

Deno.test("a device added with the CLI runs the agent and its real figures reach the database", async () => {
  await using stack = await startDeviceStack();
  const env = { MONGODB_URI: stack.uri };
  const added = await runCli(["add", "host-1", "--name", "This machine"], env);
  assert.equal(added.code, 0, added.stderr);
  const token = /^\s+(fm_\S+)$/m.exec(added.stdout)?.[1];
  assert.ok(token, added.stdout);

  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/token`, token + "\n");
    const agent = startAgent([
      "--device=host-1",
      `--token-file=${dir}/token`,
      `--target=127.0.0.1:${stack.lbPort}`,
      "--interval-ms=1000",
      `--buffer-file=${dir}/buffer.jsonl`,
    ]);
    try {
      await eventually(
        async () => (await storedReadings(stack.db, "host-1")).length >= 2,
        20_000,
        "two readings from the agent",
      );
      await eventually(
        async () =>
          (await collections(stack.db).devices.findOne({ _id: "host-1" }))?.last !== undefined,
        10_000,
        "the device's last figures",
      );
    } finally {
      agent.child.kill("SIGTERM");
    }
    const { status, stderr } = await agent.done;
    assert.equal(status.code, 0, stderr);
    const stopped = agent.lines.find((l) => l.msg === "agent stopped");
    assert.equal(stopped?.unacked, 0, JSON.stringify(stopped));

    const device = await collections(stack.db).devices.findOne({ _id: "host-1" });
    const metrics = device!.last!.metrics;
    const memTotalKb = Number(
      /MemTotal:\s+(\d+)/.exec(await Deno.readTextFile("/proc/meminfo"))![1],
    );
    assert.equal(metrics.mem_total_bytes, memTotalKb * 1024, "this machine's own memory size");
    assert.ok(metrics.cpu >= 0 && metrics.cpu <= 1);
    assert.ok(metrics.fs_root_size_bytes > 0);
    assert.ok(Number.isFinite(metrics.net_rx_bytes_per_s));
    assert.ok(Number.isFinite(metrics.load1));

    const listed = await runCli(["list"], env);
    assert.match(listed.stdout, /^host-1\s+This machine\s+yes\s+\d+ s ago\s+cs[01]\s+\d+$/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an agent with a wrong token stops with an error instead of retrying", async () => {
  await using stack = await startDeviceStack();
  const added = await runCli(["add", "host-2"], { MONGODB_URI: stack.uri });
  assert.equal(added.code, 0, added.stderr);
  const agent = startAgent([
    "--device=host-2",
    "--token=fm_not_the_token",
    `--target=127.0.0.1:${stack.lbPort}`,
    "--interval-ms=1000",
  ]);
  const timer = setTimeout(() => agent.child.kill("SIGKILL"), 20_000);
  const { status } = await agent.done;
  clearTimeout(timer);
  assert.equal(status.code, 1);
  const refused = agent.lines.find((l) => l.msg === "device refused; not reconnecting");
  assert.equal(refused?.code, "bad_token");
});

Deno.test("the CLI needs a database and explains its usage", async () => {
  const missing = await runCli(["list"], { MONGODB_URI: "" });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /set MONGODB_URI or pass --mongodb-uri/);
  const wrong = await runCli(["remove", "x"], {});
  assert.equal(wrong.code, 2);
  assert.match(wrong.stderr, /Unknown command "remove"\n\nUsage: deno task device/);
  const help = await runCli(["--help"], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /add <id> \[--name NAME\]/);
});
