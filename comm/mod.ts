/** The comm tier: device ingest over TCP. */
export { type CommServer, type CommServerOptions, createCommServer } from "./server.ts";
export { type CommNode, startCommNode } from "./node.ts";
export { type CommConfig, commConfigSchema, loadCommConfig } from "./config.ts";
export { createMongoDeviceAuthority, type DeviceAuthority } from "./device_auth.ts";
export { type CommStore, createMongoStore, nullStore } from "./store.ts";
export type { CommStats } from "./stats.ts";
export { COMM_V8_FLAGS } from "./runtime.ts";
