/** comm's tests use the shared raw device. */
export { connectTestDevice, eventually, type TestDevice } from "@fleetmon/shared/testing";
