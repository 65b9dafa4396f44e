/** The simulator's parts, for tests and tools: the fleet, shapes, audit and report. */
export { Fleet, type FleetOptions, type FleetSnapshot } from "./fleet.ts";
export { auditReadings, type AuditResult, AuditTally } from "./audit.ts";
export { ensureSimDevices, type SimDevice, simDeviceIds } from "./register.ts";
export { SeqSet } from "./seq_set.ts";
export { createProfile, initialState, nextMetrics } from "./shapes.ts";
export { buildReport, formatSummary, type SimReport } from "./report.ts";
