/**
 * Alerts: rules, evaluation on the lease holder, notifications, and what other pages read.
 * For the overview, the device list and the device page: firingAlerts, alertingDevices,
 * alertsForDevice (each with Date fields).
 */
export { type Alerting, type AlertingOptions, startAlerting } from "./alerting.ts";
export { type DeviceLatest, type FleetReader, mongoFleetReader } from "./fleet_reader.ts";
export { createSenders, type Senders } from "./senders.ts";
export {
  type ActiveAlert,
  alertingDevices,
  alertsForDevice,
  ensureAlertIndexes,
  firingAlerts,
} from "./store.ts";
export { alertRoutes } from "./routes.ts";
export { alertPages } from "./pages.tsx";
