/** Aids for tests only: a database of a test's own, and readings written as comm writes them. */
export {
  openTestDatabase,
  type TestDatabase,
  testServerIsFerretDB,
  testServerUri,
} from "./database.ts";
export { writeTestReading } from "./readings.ts";
