/**
 * What a simulated device measures, shaped like real machines: CPU that follows a daily cycle
 * (compressed to `cycleMs`) with noise and occasional spikes, load that trails CPU, memory that
 * drifts, a temperature that follows CPU, network counters that only grow, and a disk that fills
 * slowly and is sometimes cleaned up. Pure: time and randomness are passed in.
 */
import { gaussian } from "./prng.ts";

export interface DeviceProfile {
  cores: number;
  memTotalBytes: number;
  cpuBase: number;
  cpuSwing: number;
  phase: number;
  netBytesPerS: number;
}

export interface DeviceState {
  lastAt: number;
  cpuNoise: number;
  spikeLeft: number;
  load1: number;
  memRatio: number;
  tempNoise: number;
  netRx: number;
  netTx: number;
  diskRatio: number;
}

const GIB = 1024 ** 3;
export const DEFAULT_CYCLE_MS = 10 * 60_000;

export function createProfile(random: () => number): DeviceProfile {
  return {
    cores: [1, 2, 4, 8, 16][Math.floor(random() * 5)],
    memTotalBytes: [1, 2, 4, 8, 16, 32][Math.floor(random() * 6)] * GIB,
    cpuBase: 0.05 + random() * 0.45,
    cpuSwing: 0.05 + random() * 0.25,
    phase: random() * 2 * Math.PI,
    netBytesPerS: 1_000 * 10 ** (random() * 3),
  };
}

export function initialState(random: () => number, now: number): DeviceState {
  return {
    lastAt: now,
    cpuNoise: 0,
    spikeLeft: 0,
    load1: 0,
    memRatio: 0.3 + random() * 0.4,
    tempNoise: 0,
    netRx: Math.floor(random() * 1e9),
    netTx: Math.floor(random() * 1e8),
    diskRatio: 0.2 + random() * 0.5,
  };
}

const clamp = (x: number, low: number, high: number) => Math.min(high, Math.max(low, x));
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** The next reading's metrics; updates `state` in place. */
export function nextMetrics(
  profile: DeviceProfile,
  state: DeviceState,
  now: number,
  random: () => number,
  cycleMs: number = DEFAULT_CYCLE_MS,
): Record<string, number> {
  const dtS = Math.max(0, (now - state.lastAt) / 1000);
  state.lastAt = now;
  // CPU: daily cycle + AR(1) noise + rare spikes lasting a few readings.
  state.cpuNoise = 0.8 * state.cpuNoise + 0.05 * gaussian(random);
  if (state.spikeLeft > 0) state.spikeLeft--;
  else if (random() < 0.01) state.spikeLeft = 1 + Math.floor(random() * 5);
  const cycle = Math.sin((2 * Math.PI * now) / cycleMs + profile.phase);
  const cpu = clamp(
    profile.cpuBase + profile.cpuSwing * cycle + state.cpuNoise + (state.spikeLeft > 0 ? 0.4 : 0),
    0,
    1,
  );
  // load1 is an exponentially damped average of runnable tasks, ~ cpu × cores.
  const decay = Math.exp(-dtS / 60);
  state.load1 = state.load1 * decay + cpu * profile.cores * (1 - decay);
  state.memRatio = clamp(
    state.memRatio + 0.002 * gaussian(random) + 0.0005 * (cpu - 0.3),
    0.1,
    0.97,
  );
  state.tempNoise = 0.9 * state.tempNoise + 0.3 * gaussian(random);
  const traffic = profile.netBytesPerS * (0.5 + cpu) * dtS;
  state.netRx += Math.floor(traffic * (0.8 + 0.4 * random()));
  state.netTx += Math.floor(traffic * 0.3 * (0.8 + 0.4 * random()));
  state.diskRatio = random() < 0.0005
    ? clamp(state.diskRatio - 0.2, 0.05, 1)
    : clamp(state.diskRatio + 0.00001 * dtS * (1 + random()), 0, 0.99);
  return {
    cpu: round(cpu, 4),
    load1: round(state.load1, 2),
    mem_used_bytes: Math.round(state.memRatio * profile.memTotalBytes),
    mem_used_ratio: round(state.memRatio, 4),
    temp_c: round(38 + 35 * cpu + state.tempNoise, 1),
    net_rx_bytes: state.netRx,
    net_tx_bytes: state.netTx,
    disk_used_ratio: round(state.diskRatio, 5),
  };
}
