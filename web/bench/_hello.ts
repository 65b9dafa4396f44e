/** A bare `Deno.serve` HTTPS hello, the yardstick for the web tier's JSON routes. */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: { cert: { type: "string" }, key: { type: "string" } },
});
const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  cert: await Deno.readTextFile(values.cert!),
  key: await Deno.readTextFile(values.key!),
  onListen: ({ hostname, port }) =>
    console.log(JSON.stringify({ msg: "listening", addr: `${hostname}:${port}` })),
}, () => new Response("hello\n"));
Deno.addSignalListener("SIGTERM", () => server.shutdown());
await server.finished;
