/** Every scenario, in the order the rehearsal runs them (the order of work). */
import type { Scenario } from "../scenario.ts";
import { COMM_FAULTS } from "./comm_faults.ts";

export const SCENARIOS: Scenario[] = [...COMM_FAULTS];
