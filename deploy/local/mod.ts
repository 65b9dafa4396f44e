/**
 * deploy/local's public face, for tests only: the local database, for tests that must stop,
 * freeze or restart a database server of their own (the others share the one `deno task test`
 * starts), and the launcher's port plan, as `deno task start` reports it. Nothing under comm/,
 * web/, lb/, devices/ or shared/ imports this: benchmarks start the database as a process,
 * `deno task db:local`.
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
export type { Ports } from "./topology.ts";
