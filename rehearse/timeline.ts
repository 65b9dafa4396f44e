/**
 * What the rehearsal saw over time: cumulative counters sampled about once a second, and the
 * faults marked on the same clock. Pure: turns samples into per-second rates for the plots.
 */

export interface Sample {
  /** Milliseconds since the run started. */
  t: number;
  acked: number;
  webOk: number;
  webFailed: number;
}

export interface Mark {
  t: number;
  scenario: number;
  label: string;
}

export interface RatePoint {
  /** Seconds since the run started, at the end of the interval. */
  s: number;
  ackedPerS: number;
  webPerS: number;
  webFailedPerS: number;
}

export function rates(samples: Sample[]): RatePoint[] {
  const out: RatePoint[] = [];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    out.push({
      s: b.t / 1000,
      ackedPerS: (b.acked - a.acked) / dt,
      webPerS: (b.webOk - a.webOk) / dt,
      webFailedPerS: (b.webFailed - a.webFailed) / dt,
    });
  }
  return out;
}

/**
 * Rates at each sample, each the mean over the samples `half` before and after it: comm acks a
 * whole batch at once, so under heavy load one-second rates swing between nothing and double.
 */
export function smoothRates(samples: Sample[], half: number): RatePoint[] {
  const out: RatePoint[] = [];
  for (let i = 0; i < samples.length; i++) {
    const [a, b] = [
      samples[Math.max(0, i - half)],
      samples[Math.min(samples.length - 1, i + half)],
    ];
    const dt = (b.t - a.t) / 1000;
    if (dt <= 0) continue;
    out.push({
      s: samples[i].t / 1000,
      ackedPerS: (b.acked - a.acked) / dt,
      webPerS: (b.webOk - a.webOk) / dt,
      webFailedPerS: (b.webFailed - a.webFailed) / dt,
    });
  }
  return out;
}

/** The samples between two times (inclusive), for one scenario's plot and figures. */
export function window(samples: Sample[], fromMs: number, toMs: number): Sample[] {
  return samples.filter((s) => s.t >= fromMs && s.t <= toMs);
}

/** The mean acked rate between two times, from the samples nearest each end. */
export function meanAckedRate(samples: Sample[], fromMs: number, toMs: number): number {
  const inside = window(samples, fromMs, toMs);
  if (inside.length < 2) return 0;
  const [a, b] = [inside[0], inside[inside.length - 1]];
  return b.t > a.t ? ((b.acked - a.acked) * 1000) / (b.t - a.t) : 0;
}
