import assert from "node:assert/strict";
import { ConfigError } from "./errors.ts";
import { runService, type ServiceDefinition, type ServiceHost } from "./service.ts";
import { startService } from "./supervisor.ts";

/** A process stand-in: records log lines and the exit code, and raises signals on demand. */
function fakeHost(args: string[] = []) {
  const handlers = new Map<Deno.Signal, (() => void)[]>();
  const lines: Record<string, unknown>[] = [];
  let exited: (code: number) => void;
  const exit = new Promise<number>((resolve) => exited = resolve);
  const host: ServiceHost = {
    args,
    env: {},
    write: (line) => lines.push(JSON.parse(line)),
    onSignal: (signal, handler) => handlers.set(signal, [...handlers.get(signal) ?? [], handler]),
    exit: (code) => exited(code),
  };
  const raise = (signal: Deno.Signal) => handlers.get(signal)?.forEach((handler) => handler());
  return { host, lines, exit, raise, messages: () => lines.map((line) => line.msg) };
}

/** A service whose close() waits until the test lets it finish. */
function service(overrides: Partial<ServiceDefinition<{ node: string }, Stub>> = {}) {
  let finishClose!: () => void;
  const closed = new Promise<void>((resolve) => finishClose = resolve);
  const definition: ServiceDefinition<{ node: string }, Stub> = {
    name: "demo",
    loadConfig: (args) => ({ node: args[0] ?? "d0" }),
    logger: (config) => ({ node: config.node }),
    start: () => ({ close: () => closed }),
    ...overrides,
  };
  return { definition, finishClose };
}
interface Stub {
  close(): Promise<void>;
}

Deno.test("runService logs every configuration problem and exits 2 without starting", async () => {
  const { host, lines, exit } = fakeHost();
  let started = false;
  await runService({
    ...service().definition,
    loadConfig: () => {
      throw new ConfigError("demo", ["node: required", "listen: required"]);
    },
    start: () => {
      started = true;
      return { close: () => Promise.resolve() };
    },
  }, host);
  assert.equal(await exit, 2);
  assert.equal(started, false);
  assert.equal(lines[0].level, "error");
  assert.equal(lines[0].service, "demo");
  assert.deepEqual(lines[0].problems, ["node: required", "listen: required"]);
});

Deno.test("runService exits 2 with the message of any other error while loading", async () => {
  const { host, lines, exit } = fakeHost();
  await runService({
    ...service().definition,
    loadConfig: () => {
      throw new Error("Cannot start agent: token file t is empty");
    },
  }, host);
  assert.equal(await exit, 2);
  assert.equal(lines[0].msg, "Cannot start agent: token file t is empty");
});

Deno.test("runService logs an error on start and exits 1", async () => {
  const { host, lines, exit } = fakeHost();
  await runService({
    ...service().definition,
    start: () => Promise.reject(new Deno.errors.AddrInUse("Address already in use")),
  }, host);
  assert.equal(await exit, 1);
  assert.equal(lines[0].msg, "cannot start");
  assert.deepEqual(lines[0].error, { name: "AddrInUse", message: "Address already in use" });
});

Deno.test("the first SIGTERM stops the service gracefully, logs it, and exits 0", async () => {
  const { host, exit, raise, lines, messages } = fakeHost(["d7"]);
  const { definition, finishClose } = service();
  await runService(definition, host);
  raise("SIGTERM");
  assert.deepEqual(lines[0], { ...lines[0], msg: "stopping", signal: "SIGTERM", node: "d7" });
  finishClose();
  assert.equal(await exit, 0);
  assert.deepEqual(messages(), ["stopping", "stopped"]);
});

Deno.test("a second signal during a graceful stop exits at once with 128 + its number", async () => {
  const { host, exit, raise, messages } = fakeHost();
  await runService(service().definition, host);
  raise("SIGINT");
  raise("SIGTERM");
  assert.equal(await exit, 143);
  assert.deepEqual(messages(), ["stopping", "stopping at once"]);
});

Deno.test("a signal while the service starts stops it once it has started", async () => {
  const { host, exit, raise, messages } = fakeHost();
  let finishStart!: () => void;
  let closed = false;
  const running = runService({
    ...service().definition,
    start: () =>
      new Promise<Stub>((resolve) =>
        finishStart = () =>
          resolve({
            close: () => {
              closed = true;
              return Promise.resolve();
            },
          })
      ),
  }, host);
  raise("SIGINT");
  assert.equal(closed, false);
  finishStart();
  await running;
  assert.equal(await exit, 0);
  assert.equal(closed, true);
  assert.deepEqual(messages(), ["stopping", "stopped"]);
});

Deno.test("a service stops itself through control.stop and exits with the code it gave", async () => {
  const { host, exit, messages } = fakeHost();
  await runService({
    ...service().definition,
    start: (_config, _logger, control) => {
      setTimeout(() => control.stop(1), 0);
      return { close: () => Promise.resolve() };
    },
  }, host);
  assert.equal(await exit, 1);
  assert.deepEqual(messages(), ["stopped"]);
});

Deno.test("a close that fails is logged and exits 1", async () => {
  const { host, exit, raise, lines } = fakeHost();
  await runService({
    ...service().definition,
    start: () => ({ close: () => Promise.reject(new Error("disk gone")) }),
  }, host);
  raise("SIGTERM");
  assert.equal(await exit, 1);
  assert.equal(lines.at(-1)?.msg, "shutdown failed");
});

Deno.test("extra signal hooks reach the running service, and not once it is stopping", async () => {
  const { host, exit, raise } = fakeHost();
  const reloads: string[] = [];
  const { definition, finishClose } = service();
  await runService({ ...definition, signals: { SIGHUP: () => reloads.push("reload") } }, host);
  raise("SIGHUP");
  await Promise.resolve();
  raise("SIGTERM");
  raise("SIGHUP");
  finishClose();
  assert.equal(await exit, 0);
  assert.deepEqual(reloads, ["reload"]);
});

Deno.test("an extra signal while the service starts reaches it once started, not the default action", async () => {
  const { host, exit, raise } = fakeHost();
  const reloads: string[] = [];
  let finishStart!: () => void;
  const running = runService({
    ...service().definition,
    start: () =>
      new Promise<Stub>((resolve) =>
        finishStart = () => resolve({ close: () => Promise.resolve() })
      ),
    signals: { SIGHUP: () => reloads.push("reload") },
  }, host);
  raise("SIGHUP");
  await Promise.resolve();
  assert.deepEqual(reloads, [], "not before the service exists");
  finishStart();
  await running;
  await Promise.resolve();
  assert.deepEqual(reloads, ["reload"]);
  raise("SIGTERM");
  assert.equal(await exit, 0);
});

Deno.test("a real process stops at once on a second SIGTERM while its graceful stop hangs", async () => {
  const serviceModule = new URL("./service.ts", import.meta.url).href;
  const script = `
    import { runService } from ${JSON.stringify(serviceModule)};
    await runService({
      name: "hang",
      loadConfig: () => ({}),
      logger: () => ({}),
      start: (_config, logger) => {
        logger.info("listening");
        const forever = setInterval(() => {}, 60_000);
        return { close: () => new Promise(() => forever) };
      },
    });`;
  await using child = await startService({
    name: "hang",
    args: ["eval", script],
    ready: (entry) => entry.msg === "listening",
    stopGraceMs: 30_000,
  });
  child.child.kill("SIGTERM");
  await child.waitFor((entry) => entry.msg === "stopping");
  child.child.kill("SIGTERM");
  const status = await child.exited;
  assert.equal(status.code, 143);
  assert.ok(child.entries.some((entry) => entry.msg === "stopping at once"));
});
