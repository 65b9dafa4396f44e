/**
 * A load process for the web benchmark: `--connections` loops of GET `--url` for `--seconds`,
 * over one HTTPS client trusting `--ca`. Prints one JSON line: requests_per_s, errors.
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    ca: { type: "string" },
    cookie: { type: "string" },
    seconds: { type: "string", default: "5" },
    connections: { type: "string", default: "32" },
  },
});
const print = (value: unknown) => console.log(JSON.stringify(value));
try {
  const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(values.ca!)] });
  const headers: Record<string, string> = values.cookie ? { cookie: values.cookie } : {};
  const seconds = Number(values.seconds);
  let done = 0;
  let errors = 0;
  const loop = async (until: number, count: boolean) => {
    while (performance.now() < until) {
      const response = await fetch(values.url!, { client, headers }).catch(() => undefined);
      await response?.arrayBuffer();
      if (!count) continue;
      if (response?.status === 200) done++;
      else errors++;
    }
  };
  const loops = (until: number, count: boolean) =>
    Promise.all(Array.from({ length: Number(values.connections) }, () => loop(until, count)));
  await loops(performance.now() + 1000, false); // warm up: connections and JIT
  const started = performance.now();
  await loops(started + seconds * 1000, true);
  const elapsed = (performance.now() - started) / 1000;
  print({ requests_per_s: done / elapsed, errors });
  client.close();
} catch (error) {
  print({ error: String(error) });
}
