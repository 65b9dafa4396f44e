/** The multi-process helper itself, against tiny `deno eval` services. */
import assert from "node:assert/strict";
import { startService } from "./_process.ts";

const script = (code: string) => [Deno.execPath(), "eval", code];
const log = (entry: Record<string, unknown>) =>
  `console.log(JSON.stringify(${JSON.stringify(entry)}));`;

Deno.test("startService waits for the ready line, then finds lines already logged or still to come", async () => {
  await using service = await startService(script(
    log({ msg: "starting" }) + "console.log('not json');" + log({ msg: "listening", addr: "x:1" }) +
      "setTimeout(() => { " + log({ msg: "later", n: 2 }) + " }, 100);" +
      "Deno.addSignalListener('SIGTERM', () => { " + log({ msg: "stopped" }) +
      " Deno.exit(0); });" +
      "setTimeout(() => {}, 60_000);",
  ));
  assert.equal(service.ready.addr, "x:1");
  assert.deepEqual(service.lines[1], { raw: "not json" });
  assert.equal((await service.waitFor((line) => line.msg === "starting")).msg, "starting");
  assert.equal((await service.waitFor((line) => line.msg === "later")).n, 2);
  const status = await service.stop();
  assert.equal(status.code, 0);
  assert.ok(service.lines.some((line) => line.msg === "stopped"));
  assert.equal(await service.stop(), status, "stopping twice is one stop");
});

Deno.test("startService fails with the service's stderr when it exits before it is ready", async () => {
  await assert.rejects(
    () => startService(script("console.error('Cannot start: no config'); Deno.exit(3);")),
    /exited with code 3[\s\S]*Cannot start: no config/,
  );
});

Deno.test("startService gives up waiting after timeoutMs and kills the service", async () => {
  const started = performance.now();
  await assert.rejects(
    () => startService(script("setTimeout(() => {}, 60_000);"), { timeoutMs: 300 }),
    /Timed out after 300 ms/,
  );
  assert.ok(performance.now() - started < 5000);
});

Deno.test("startService's stop kills a service that ignores SIGTERM after stopTimeoutMs", async () => {
  const service = await startService(
    script(
      "Deno.addSignalListener('SIGTERM', () => {});" + log({ msg: "listening" }) +
        "setTimeout(() => {}, 60_000);",
    ),
    { stopTimeoutMs: 200 },
  );
  const status = await service.stop();
  assert.equal(status.signal, "SIGKILL");
});
