/**
 * The local database for tests that must stop, freeze or restart a database server of their own
 * (the others share the one `deno task test` starts). Nothing under comm/, web/, lb/, devices/ or
 * shared/ imports this: benchmarks start the database as a process, `deno task db:local`.
 */
export {
  FERRETDB_BUILD,
  FERRETDB_VERSION,
  ferretdbArgs,
  type FerretDBOptions,
  locateFerretDB,
  type RunningDatabase,
  startFerretDB,
} from "./ferretdb.ts";
