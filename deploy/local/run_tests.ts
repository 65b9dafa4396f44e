/**
 * `deno task test [deno test arguments…]`: the whole test suite, or the paths and flags given
 * (`deno task test comm/`, `deno task test --filter lb`). Finds or builds FerretDB, starts one for
 * the run, and runs `deno test` with the op and resource sanitizers on and
 * FLEETMON_TEST_MONGODB_URI naming it; each test opens a database of its own there. With
 * FLEETMON_TEST_MONGODB_URI already set (a real MongoDB), no FerretDB is started.
 * (Not named test.ts: `deno test` would take a file of that name for a test module.)
 */
import { createLogger } from "@fleetmon/shared/log";
import { freePort } from "@fleetmon/shared/socket";
import { locateFerretDB, type RunningDatabase, startFerretDB } from "./ferretdb.ts";

const TEST_FLAGS = ["--allow-all", "--sanitize-ops", "--sanitize-resources"];
const logger = createLogger({ service: "test", level: "warn" });

let database: RunningDatabase | undefined;
let dataDir: string | undefined;
let uri = Deno.env.get("FLEETMON_TEST_MONGODB_URI");
if (!uri) {
  try {
    dataDir = await Deno.makeTempDir({ prefix: "fleetmon-test-db-" });
    database = await startFerretDB({
      bin: await locateFerretDB(logger),
      dataDir,
      port: freePort(),
      logger,
    });
    uri = database.uri;
  } catch (error) {
    logger.error("Cannot start the tests' database", { error });
    if (dataDir) await Deno.remove(dataDir, { recursive: true });
    Deno.exit(1);
  }
}

const tests = new Deno.Command(Deno.execPath(), {
  args: ["test", ...TEST_FLAGS, ...Deno.args],
  // FLEETMON_TEST_FERRETDB says the server is the FerretDB started here, not a MongoDB.
  env: { FLEETMON_TEST_MONGODB_URI: uri, ...database ? { FLEETMON_TEST_FERRETDB: "1" } : {} },
  stdin: "inherit",
}).spawn();
// A terminal's Ctrl-C reaches `deno test` too; SIGTERM is passed on. Either way this script waits
// for the tests to end, then stops the database (in a session of its own, Ctrl-C misses it).
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    if (signal !== "SIGTERM") return;
    try {
      tests.kill(signal);
    } catch {
      // ended already
    }
  });
}
const { code } = await tests.status;
await database?.stop();
if (dataDir) await Deno.remove(dataDir, { recursive: true });
Deno.exit(code);
