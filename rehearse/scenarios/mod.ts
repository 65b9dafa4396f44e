/** Every scenario, in the order the rehearsal runs them (the order of work). */
import type { Scenario } from "../scenario.ts";
import { COMM_FAULTS } from "./comm_faults.ts";
import { databaseGone } from "./database.ts";
import { replay } from "./replay.ts";
import { badBackendList, cloneComm } from "./lb_reload.ts";
import { webFaults } from "./web.ts";
import { hostileTraffic } from "./hostile.ts";
import { saturation } from "./saturation.ts";

export const SCENARIOS: Scenario[] = [
  ...COMM_FAULTS,
  databaseGone,
  replay,
  badBackendList,
  cloneComm,
  webFaults,
  hostileTraffic,
  saturation,
];
