/**
 * Aids for tests only: a database of a test's own, readings written as comm writes them, a raw
 * protocol device, and a bounded wait for a condition.
 */
export {
  openTestDatabase,
  type TestDatabase,
  testServerIsFerretDB,
  testServerUri,
} from "./database.ts";
export { eventually } from "./eventually.ts";
export { connectTestDevice, type TestDevice } from "./raw_device.ts";
export { storedReadings, writeTestReading } from "./readings.ts";
export { type SinkMessage, type SmtpSink, startSmtpSink } from "./smtp_sink.ts";
export { type ReceivedHook, startWebhookSink, type WebhookSink } from "./webhook_sink.ts";
