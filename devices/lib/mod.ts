/** The device side of protocol v1: a client that loses nothing it was not told it may lose. */
export { createDeviceClient, type DeviceClient } from "./client.ts";
export { Backoff, type BackoffOptions, type Jitter } from "./backoff.ts";
export { type BufferedReading, UnackedBuffer } from "./unacked_buffer.ts";
export { FileJournal, type JournalState, replayJournal } from "./journal.ts";
export { checkReading } from "./reading_check.ts";
export type {
  ClientState,
  DeviceClientEvents,
  DeviceClientOptions,
  DeviceClientStats,
  DropReason,
} from "./types.ts";
