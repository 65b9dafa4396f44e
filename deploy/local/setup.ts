/** `deno task setup`: makes sure FerretDB is available, building it once if need be. */
import { locateFerretDB } from "./ferretdb.ts";
import { createLogger } from "@fleetmon/shared/log";

const logger = createLogger({ service: "setup" });
try {
  logger.info("FerretDB ready", { bin: await locateFerretDB(logger) });
} catch (error) {
  logger.error((error as Error).message);
  Deno.exit(1);
}
