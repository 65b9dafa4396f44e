/** The process supervisor itself, against tiny `deno eval` services. */
import assert from "node:assert/strict";
import { isListening, startService } from "./supervisor.ts";

const script = (code: string) => ({ name: "tiny", args: ["eval", code] });
const log = (entry: Record<string, unknown>) =>
  `console.log(JSON.stringify(${JSON.stringify(entry)}));`;

Deno.test("startService waits for the ready line, then finds lines already logged or still to come", async () => {
  await using service = await startService({
    ...script(
      log({ msg: "starting" }) + "console.log('not json');" +
        log({ msg: "listening", addr: "x:1" }) +
        "setTimeout(() => { " + log({ msg: "later", n: 2 }) + " }, 100);" +
        "Deno.addSignalListener('SIGTERM', () => { " + log({ msg: "stopped" }) +
        " Deno.exit(0); });" +
        "setTimeout(() => {}, 60_000);",
    ),
    ready: isListening,
  });
  assert.equal(service.readyEntry?.addr, "x:1");
  assert.deepEqual(service.entries.map((entry) => entry.msg), ["starting", "listening"]);
  assert.match(service.tail(), /not json/, "plain lines are kept for error messages");
  assert.equal((await service.waitFor((entry) => entry.msg === "starting")).msg, "starting");
  assert.equal((await service.waitFor((entry) => entry.msg === "later")).n, 2);
  const status = await service.stop();
  assert.equal(status.code, 0);
  assert.ok(service.entries.some((entry) => entry.msg === "stopped"));
  assert.equal(await service.stop(), status, "stopping twice is one stop");
});

Deno.test("startService fails with the service's last output when it exits before it is ready", async () => {
  await assert.rejects(
    () =>
      startService({
        ...script("console.error('Cannot start: no config'); Deno.exit(3);"),
        ready: isListening,
      }),
    /tiny exited with code 3 before the expected line:[\s\S]*Cannot start: no config/,
  );
});

Deno.test("startService gives up waiting after readyTimeoutMs and stops the service", async () => {
  const started = performance.now();
  await assert.rejects(
    () =>
      startService({
        ...script("console.log('warming up'); setTimeout(() => {}, 60_000);"),
        ready: isListening,
        readyTimeoutMs: 300,
      }),
    /tiny: no expected line within 300 ms:[\s\S]*warming up/,
  );
  assert.ok(performance.now() - started < 5_000);
});

Deno.test("stop kills a service that ignores SIGTERM once the grace period is over", async () => {
  const service = await startService({
    ...script(
      "Deno.addSignalListener('SIGTERM', () => {});" + log({ msg: "listening" }) +
        "setTimeout(() => {}, 60_000);",
    ),
    ready: isListening,
    stopGraceMs: 200,
  });
  const status = await service.stop();
  assert.equal(status.signal, "SIGKILL");
});
