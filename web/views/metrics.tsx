/** A device's last values, each with the unit its name ends in. */
import { metricEntries } from "./format.ts";

export function Metrics(props: { metrics: Record<string, number> | null; max?: number }) {
  const { shown, more } = metricEntries(props.metrics, props.max);
  if (shown.length === 0) return <span class="muted">no readings yet</span>;
  return (
    <span class="metrics">
      {shown.map(([name, value]) => (
        <span class="metric">
          <span class="metric-name">{name}</span> {value}
        </span>
      ))}
      {more > 0 && <span class="muted">+{more} more</span>}
    </span>
  );
}
