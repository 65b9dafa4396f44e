/**
 * `deno task bench:web`: the web tier through lb(web) over HTTPS, with 10,000 devices, on this
 * machine. Prints its figures, and as its last line one JSON object of every figure.
 *
 * HOW TO ADD A FIGURE: write `web/bench/<name>.ts` (or a module of your own) exporting
 * `async (cluster: BenchCluster, say) => ({ figure_name: number, … })`, and add one line to
 * FIGURES below. Every figure gets the same running cluster (database, ws0, ws1, lb(web), a signed-in
 * admin cookie; see _cluster.ts) and may start more processes with `cluster.start(…)`, which are
 * stopped at the end. `--only=a,b` runs only the named entries. A figure that throws is reported
 * as `"<entry>_error"` in the JSON and the run exits 1, but the other figures still run.
 */
import { parseArgs } from "node:util";
import { type BenchCluster, openBenchCluster } from "./_cluster.ts";
import { alertLatency } from "./alert_latency.ts";
import { seedFleet } from "./_fleet.ts";
import { deviceList10k, overview10k } from "./device_list.ts";
import { jsonRouteVsPlainHttps } from "./json_route.ts";
import { healthzDuringLoginFlood } from "./login_flood.ts";

export type Figure = (
  cluster: BenchCluster,
  say: (line: string) => void,
) => Promise<Record<string, number>>;

/** Entry name → figure. Order is the order they run in. */
const FIGURES: Record<string, Figure> = {
  json_route: jsonRouteVsPlainHttps,
  device_list: deviceList10k,
  overview: overview10k,
  login_flood: healthzDuringLoginFlood,
  alert_latency: alertLatency,
};

const FLEET_SIZE = 10_000;
const { values } = parseArgs({ args: Deno.args, options: { only: { type: "string" } } });
const only = values.only?.split(",") ?? Object.keys(FIGURES);
const unknown = only.filter((name) => !(name in FIGURES));
if (unknown.length > 0) {
  console.error(`Cannot run: no figure named ${unknown.join(", ")} (have ${Object.keys(FIGURES)})`);
  Deno.exit(2);
}
const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

const figures: Record<string, number | string> = {};
let failed = false;
{
  await using cluster = await openBenchCluster(say, (db) => {
    say(`seeding ${FLEET_SIZE} devices`);
    return seedFleet(db, FLEET_SIZE);
  });
  for (const name of only) {
    say(`${name}:`);
    try {
      const result = await FIGURES[name](cluster, say);
      for (const [key, value] of Object.entries(result)) say(`  ${key} = ${value}`);
      Object.assign(figures, result);
    } catch (error) {
      failed = true;
      say(`  failed: ${(error as Error).stack ?? error}`);
      figures[`${name}_error`] = String((error as Error).message ?? error);
    }
  }
}
say(JSON.stringify(figures));
if (failed) Deno.exit(1);
