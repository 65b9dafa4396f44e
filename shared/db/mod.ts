/** Database access shared by comm and web (never by lb). */
export * from "./audit.ts";
export * from "./client.ts";
export * from "./collections.ts";
export * from "./devices.ts";
export * from "./last_readings.ts";
export * from "./nodes.ts";
export * from "./tokens.ts";
export * from "./users.ts";
export * from "./lease.ts";
export * from "./device_status.ts";
export * from "./credentials.ts";
export * from "./local.ts";
