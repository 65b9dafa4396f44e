/**
 * lb as a real process (`lb/main.ts` with the permissions of `deno task start:lb`) in front of two
 * real backend listeners: it logs "listening", balances round robin, and shows a killed backend
 * as down in /stats.
 */
import assert from "node:assert/strict";
import { isListening, startService } from "@fleetmon/shared/supervisor";

type LogLine = Record<string, unknown>;

const root = new URL("../", import.meta.url);
const encoder = new TextEncoder();

/** A backend that greets each connection with its name and a newline, and closes after the peer. */
function greeter(name: string) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Promise<void>>();
  const serve = async (conn: Deno.Conn) => {
    try {
      await conn.write(encoder.encode(`${name}\n`));
      while (await conn.read(new Uint8Array(64)) !== null) { /* until the peer closes */ }
    } catch {
      // A health check that closed at once, or a reset.
    } finally {
      conn.close();
    }
  };
  const done = (async () => {
    for await (const conn of listener) {
      const serving: Promise<void> = serve(conn).finally(() => open.delete(serving));
      open.add(serving);
    }
  })().catch(() => {});
  let closed = false;
  return {
    address: `127.0.0.1:${listener.addr.port}`,
    close: async () => {
      if (!closed) listener.close();
      closed = true;
      await done;
      await Promise.all(open);
    },
  };
}

async function whoAnswers(addr: string): Promise<string> {
  const [hostname, port] = addr.split(":");
  const conn = await Deno.connect({ hostname, port: Number(port) });
  try {
    const buffer = new Uint8Array(64);
    let text = "";
    while (!text.endsWith("\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return text.trim();
  } finally {
    conn.close();
  }
}

/** As `deno task start:lb`. */
const PERMISSIONS = ["--allow-net", "--allow-env", "--allow-read", "--allow-ffi"];

function lbCommand(...flags: string[]): string[] {
  return [Deno.execPath(), "run", ...PERMISSIONS, "lb/main.ts", ...flags];
}

/** Starts `command` from the project's root and waits for its "listening" line. */
function startLb(command: string[]) {
  const [program, ...args] = command;
  return startService({ name: "lb", command: program, args, cwd: root, ready: isListening });
}

async function stats(admin: string) {
  const response = await fetch(`http://${admin}/stats`);
  return await response.json() as { backends: { id: string; state: string; total: number }[] };
}

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (true) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

Deno.test("lb process balances round robin and shows a killed backend as down in /stats", async () => {
  const a = greeter("a");
  const b = greeter("b");
  try {
    await using lb = await startLb(
      lbCommand(
        "--name=lb-test",
        "--listen=127.0.0.1:0",
        "--admin=127.0.0.1:0",
        `--backend=a=${a.address}`,
        `--backend=b=${b.address}`,
        "--check-interval-ms=100",
        "--check-timeout-ms=1000",
      ),
    );
    const addr = String(lb.readyEntry!.addr);
    const admin = String(lb.readyEntry!.admin);
    assert.equal(lb.readyEntry!.engine, "epoll");
    assert.match(addr, /^127\.0\.0\.1:\d+$/);
    assert.notEqual(addr, "127.0.0.1:0", "the real port, not the one asked for");
    assert.equal(lb.readyEntry!.node, "lb-test");

    await until(() => stats(admin), (s) => s.backends.every((x) => x.state === "up"), "both up");
    const order = [];
    for (let i = 0; i < 4; i++) order.push(await whoAnswers(addr));
    assert.deepEqual(order, ["a", "b", "a", "b"]);

    await a.close();
    const isADown = (line: LogLine) =>
      line.msg === "backend state changed" && line.backend === "a" && line.to === "down";
    await lb.waitFor(isADown);
    const after = await stats(admin);
    assert.deepEqual(after.backends.map((x) => [x.id, x.state]), [["a", "down"], ["b", "up"]]);
    for (let i = 0; i < 3; i++) assert.equal(await whoAnswers(addr), "b");
    assert.equal(lb.entries.filter(isADown).length, 1, "down is logged once");

    const status = await lb.stop();
    assert.equal(status.code, 0, "SIGTERM is a clean stop");
    assert.ok(lb.entries.some((line) => line.msg === "stopped"));
  } finally {
    await a.close();
    await b.close();
  }
});

const prlimit = (() => {
  try {
    return new Deno.Command("prlimit", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
})();

for (const engine of ["epoll", "deno"]) {
  Deno.test({
    name:
      `lb process keeps its listener through EMFILE, and does not blame the backend for it [${engine}]`,
    ignore: !prlimit,
    fn: async () => {
      const b = greeter("b");
      const clients: Deno.Conn[] = [];
      try {
        // About 31 descriptors go to the runtime itself (6 of them to the data plane's worker):
        // 46 leaves room for a handful of clients.
        await using lb = await startLb([
          "prlimit",
          "--nofile=46:46",
          ...lbCommand(
            "--listen=127.0.0.1:0",
            "--admin=127.0.0.1:0",
            `--backend=b=${b.address}`,
            "--check-interval-ms=50",
            `--engine=${engine}`,
          ),
        ]);
        assert.equal(lb.readyEntry!.engine, engine);
        const addr = String(lb.readyEntry!.addr);
        const [hostname, port] = addr.split(":");
        await until(
          () => stats(String(lb.readyEntry!.admin)),
          (s) => s.backends[0].state === "up",
          "up",
        );
        for (let i = 0; i < 30; i++) {
          clients.push(await Deno.connect({ hostname, port: Number(port) }));
        }
        // Out of descriptors either at accept (backing off) or when opening the backend's socket
        // for a client just accepted (that client is closed): which one depends on timing.
        const outOfDescriptors = (line: LogLine) =>
          line.msg === "cannot accept a connection; backing off" ||
          line.msg === "cannot connect to backend: this process is out of file descriptors";
        await lb.waitFor(outOfDescriptors);
        // The relays hold every descriptor: stay so for well over fall × interval of checks.
        await new Promise((resolve) => setTimeout(resolve, 500));
        for (const conn of clients.splice(0)) conn.close();
        const answer = await until(
          () => whoAnswers(addr).catch(() => ""),
          (text) => text === "b",
          "a client served again",
        );
        assert.equal(answer, "b");
        const after = await stats(String(lb.readyEntry!.admin)) as unknown as {
          backends: { state: string; failedConnects: number }[];
        };
        // Out of descriptors, lb holds off accepting (100 ms at a time) rather than accepting and
        // closing every waiting client with an error line each: about 22 of them here.
        const outOfDescriptorLines = lb.entries.filter(outOfDescriptors).length;
        assert.ok(
          outOfDescriptorLines > 0 && outOfDescriptorLines <= 15,
          `${outOfDescriptorLines}`,
        );
        const down = lb.entries.filter((line) =>
          line.msg === "backend state changed" && line.to === "down"
        );
        assert.deepEqual(down, [], "running out of descriptors is not the backend's fault");
        assert.equal(after.backends[0].failedConnects, 0);
      } finally {
        for (const conn of clients) conn.close();
        await b.close();
      }
    },
  });
}

Deno.test("lb process without --allow-ffi runs the deno engine and says why; asked for epoll, it refuses to start", async () => {
  const b = greeter("b");
  try {
    const withoutFfi = (...flags: string[]) => [
      Deno.execPath(),
      "run",
      ...PERMISSIONS.filter((permission) => permission !== "--allow-ffi"),
      "lb/main.ts",
      "--listen=127.0.0.1:0",
      "--admin=off",
      `--backend=b=${b.address}`,
      ...flags,
    ];
    {
      await using lb = await startLb(withoutFfi());
      assert.equal(lb.readyEntry!.engine, "deno");
      const fallback = lb.entries.find((line) => line.msg === "using the deno engine");
      assert.equal(fallback?.why, "not epoll: it needs --allow-ffi");
      assert.equal(await whoAnswers(String(lb.readyEntry!.addr)), "b");
    }
    const [program, ...args] = withoutFfi("--engine=epoll");
    const { code, stdout } = await new Deno.Command(program, {
      args,
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    assert.equal(code, 1);
    const line = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
    assert.equal(line.msg, "cannot start");
    assert.match(
      String(line.error?.message ?? line.error),
      /Cannot use the epoll engine: it needs --allow-ffi/,
    );
  } finally {
    await b.close();
  }
});

Deno.test("lb process refuses a bad configuration at start, naming every problem", async () => {
  const command = new Deno.Command(Deno.execPath(), {
    args: lbCommand("--listen=nowhere", "--rise=0").slice(1),
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout } = await command.output();
  assert.equal(code, 2);
  const line = JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  assert.equal(line.level, "error");
  assert.match(line.msg, /^Cannot start lb: invalid configuration/);
  assert.equal(line.problems.length, 3, line.msg);
});

Deno.test("lb process under continuous load takes a dead backend out, answers its admin API, and fails only connections in flight to it", async () => {
  const a = greeter("a");
  const b = greeter("b");
  try {
    await using lb = await startLb(
      lbCommand(
        "--listen=127.0.0.1:0",
        "--admin=127.0.0.1:0",
        `--backend=a=${a.address}`,
        `--backend=b=${b.address}`,
        "--check-interval-ms=100",
        "--retries=1",
      ),
    );
    const addr = String(lb.readyEntry!.addr);
    const admin = String(lb.readyEntry!.admin);
    await until(() => stats(admin), (s) => s.backends.every((x) => x.state === "up"), "both up");

    // Eight clients connect, read the greeting and close, again and again, until told to stop
    // (and at most 20,000 times in all).
    const answers = new Map<string, number>();
    const failures: unknown[] = [];
    let stop = false;
    let served = 0;
    const client = async () => {
      while (!stop && served < 20_000) {
        served++;
        const answer = await whoAnswers(addr).catch((error) => (failures.push(error), "failed"));
        answers.set(answer, (answers.get(answer) ?? 0) + 1);
      }
    };
    const clients = Array.from({ length: 8 }, client);
    try {
      await until(() => Promise.resolve(served), (count) => count >= 500, "traffic");
      await a.close();
      await lb.waitFor((line) =>
        line.msg === "backend state changed" && line.backend === "a" && line.to === "down"
      );
      const during = await stats(admin);
      assert.deepEqual(during.backends.map((x) => x.state), ["down", "up"]);
      const servedAtDown = served;
      await until(() => Promise.resolve(served), (count) => count >= servedAtDown + 500, "more");
    } finally {
      stop = true;
      await Promise.all(clients);
    }
    // A connection that a had taken into its backlog when it died is reset: at most one per
    // client. Every other connection is served, new ones by b once a refuses them.
    const lost = failures.length + (answers.get("") ?? 0);
    assert.ok(lost <= 8, `${lost} connections failed: ${failures.join(", ")}`);
    assert.ok(answers.get("a")! > 0 && answers.get("b")! > 500, JSON.stringify([...answers]));
  } finally {
    await a.close();
    await b.close();
  }
});

Deno.test("lb process reloads its backends from --config on SIGHUP, and refuses a bad file, changing nothing", async () => {
  const a = greeter("a");
  const b = greeter("b");
  const dir = await Deno.makeTempDir({ prefix: "fleetmon-lb-reload-" });
  const file = `${dir}/lb.json`;
  const writeConfig = (config: unknown) => Deno.writeTextFile(file, JSON.stringify(config));
  const base = { listen: "127.0.0.1:0", admin: "127.0.0.1:0", checkIntervalMs: 100 };
  try {
    await writeConfig({ ...base, backend: [`a=${a.address}`] });
    await using lb = await startLb(lbCommand(`--config=${file}`));
    const addr = String(lb.readyEntry!.addr);
    const admin = String(lb.readyEntry!.admin);
    assert.equal(await whoAnswers(addr), "a");

    await writeConfig({ ...base, backend: [`b=${b.address}`], checkIntervalMs: 200 });
    lb.child.kill("SIGHUP");
    const reloaded = await lb.waitFor((line) => line.msg === "reloaded");
    assert.deepEqual([reloaded.added, reloaded.removed, reloaded.kept], [["b"], ["a"], []]);
    const warning = await lb.waitFor((line) => String(line.msg).includes("only with a restart"));
    assert.deepEqual(warning.settings, ["checkIntervalMs"]);
    for (let i = 0; i < 3; i++) assert.equal(await whoAnswers(addr), "b");
    await until(() => stats(admin), (s) => s.backends.map((x) => x.id).join() === "b", "a gone");

    await writeConfig({ ...base, backend: [] });
    lb.child.kill("SIGHUP");
    const refused = await lb.waitFor((line) =>
      line.msg === "reload refused: invalid configuration"
    );
    assert.match(JSON.stringify(refused.problems), /at least one backend/);
    assert.equal(await whoAnswers(addr), "b", "still serving with the running backends");
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
});
