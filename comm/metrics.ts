/** Prometheus metrics for a comm node, read from its plain counters at scrape time. */
import client from "prom-client";
import type { CommServer } from "./server.ts";

export function createMetricsRegistry(server: CommServer, node: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ node });
  const s = server.stats;
  const counter = (name: string, help: string, read: () => number) =>
    new client.Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  counter("fleetmon_comm_connections_total", "Connections accepted", () => s.connectionsTotal);
  gauge("fleetmon_comm_connections_active", "Connections open now", () => s.connectionsActive);
  counter("fleetmon_comm_probes_total", "Connections closed without a byte", () => s.probes);
  counter("fleetmon_comm_auth_failures_total", "Hellos refused", () => s.authFailures);
  counter("fleetmon_comm_readings_accepted_total", "Readings queued", () => s.readingsAccepted);
  counter(
    "fleetmon_comm_readings_stored_total",
    "Readings stored and acked",
    () => s.readingsStored,
  );
  counter(
    "fleetmon_comm_rate_pauses_total",
    "Readings that waited for their connection's rate limit",
    () => s.ratePauses,
  );
  counter(
    "fleetmon_comm_rate_paused_ms_total",
    "Milliseconds connections waited for their rate limit",
    () => s.ratePausedMs,
  );
  counter("fleetmon_comm_bytes_in_total", "Bytes received from devices", () => s.bytesIn);
  counter("fleetmon_comm_batches_total", "Batches written", () => s.batches);
  counter("fleetmon_comm_batched_readings_total", "Readings in batches", () => s.batchedReadings);
  counter("fleetmon_comm_db_write_errors_total", "Failed batch writes", () => s.dbWriteErrors);
  gauge(
    "fleetmon_comm_pending_readings",
    "Readings waiting to be stored",
    () => server.batcher.pending,
  );
  const batchSize = new client.Histogram({
    name: "fleetmon_comm_batch_size",
    help: "Readings per batch written",
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
    registers: [registry],
  });
  const writeSeconds = new client.Histogram({
    name: "fleetmon_comm_db_write_seconds",
    help: "Time to write one batch, retries excluded",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  server.onBatchWritten((size, ms) => {
    batchSize.observe(size);
    writeSeconds.observe(ms / 1000);
  });
  new client.Counter({
    name: "fleetmon_comm_readings_rejected_total",
    help: "Readings and frames refused, by nack code",
    labelNames: ["code"],
    registers: [registry],
    collect() {
      this.reset();
      for (const [code, n] of Object.entries(s.readingsRejected)) this.inc({ code }, n ?? 0);
    },
  });
  return registry;
}
