/**
 * `deno task db:local [--port N] [--data-dir DIR]`: the local database (FerretDB, found or built
 * as `deno task setup` does) as a process of its own, for benchmarks and scripts that must not
 * import deploy/. Logs `{"msg":"database ready","uri":…}` once it accepts connections; stops the
 * database on SIGTERM or SIGINT. Without --data-dir its data lives in a temporary directory,
 * removed on stop; --port 0 (the default) takes a free port.
 */
import { z } from "zod";
import { loadConfig, logLevelSchema } from "@fleetmon/shared/config";
import { runService } from "@fleetmon/shared/service";
import { freePort } from "@fleetmon/shared/socket";
import { locateFerretDB, startFerretDB } from "./ferretdb.ts";

const schema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(0),
  dataDir: z.string().min(1).optional(),
  logLevel: logLevelSchema.default("info"),
});

await runService({
  name: "db",
  loadConfig: (args, env) =>
    loadConfig("db", schema, {
      args,
      env,
      envKeys: {},
      flags: {
        port: { type: "string" },
        "data-dir": { type: "string" },
        "log-level": { type: "string" },
      },
    }),
  logger: (config) => ({ level: config.logLevel }),
  start: async (config, logger) => {
    const temporary = config.dataDir === undefined;
    const dataDir = config.dataDir ?? await Deno.makeTempDir({ prefix: "fleetmon-db-" });
    const database = await startFerretDB({
      bin: await locateFerretDB(logger),
      dataDir,
      port: config.port || freePort(),
      logger,
    }).catch(async (error) => {
      if (temporary) await Deno.remove(dataDir, { recursive: true });
      throw error;
    });
    return {
      async close() {
        await database.stop();
        if (temporary) await Deno.remove(dataDir, { recursive: true });
      },
    };
  },
});
