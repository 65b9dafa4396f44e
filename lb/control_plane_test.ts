import assert from "node:assert/strict";
import { allUp, ENGINES, testBalancer } from "./_test_helpers.ts";

const FLOOD_MS = 3000;
const CHECK_INTERVAL_MS = 100;

interface Flood {
  ports: number[];
  start(target: { hostname: string; port: number }, loops: number): void;
  stop(): Promise<{ connections: number; failed: number }>;
}

/** The flood and its backends on a thread of their own (_flood_worker.ts). */
async function startFlood(): Promise<Flood> {
  const worker = new Worker(new URL("./_flood_worker.ts", import.meta.url), { type: "module" });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve) => {
      worker.onmessage = (event) => resolve(event.data);
    });
  const { ports } = await next() as { ports: number[] };
  return {
    ports,
    start: (target, loops) => worker.postMessage({ type: "flood", target, loops }),
    async stop() {
      const stopped = next();
      worker.postMessage({ type: "stop" });
      const result = await stopped as { connections: number; failed: number };
      worker.terminate();
      return result;
    },
  };
}

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

for (const engine of ENGINES) {
  Deno.test(`lb answers its admin API and checks its backends on time while a flood of new connections keeps its data plane busy [${engine}]`, async () => {
    const flood = await startFlood();
    let floodResult: { connections: number; failed: number } | undefined;
    try {
      await using lb = await testBalancer(
        flood.ports.map((port, i) => ({ name: `b${i}`, addr: { hostname: "127.0.0.1", port } })),
        { engine, admin: { hostname: "127.0.0.1", port: 0 }, checkIntervalMs: CHECK_INTERVAL_MS },
      );
      await allUp(lb);
      const stats = `http://127.0.0.1:${lb.adminAddr!.port}/stats`;
      flood.start(lb.addr, 16);
      const answerMs: number[] = [];
      const checkTimes = new Map<string, number[]>();
      const end = performance.now() + FLOOD_MS;
      while (performance.now() < end) {
        const asked = performance.now();
        const body = await (await fetch(stats)).json();
        answerMs.push(performance.now() - asked);
        for (const backend of body.backends) {
          const times = checkTimes.get(backend.id) ?? [];
          const at = Date.parse(backend.lastCheck.at);
          if (times.at(-1) !== at) times.push(at);
          checkTimes.set(backend.id, times);
          assert.equal(backend.state, "up", `${backend.id} stays up: ${backend.lastCheck.detail}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      floodResult = await flood.stop();
      // The flood ran: hundreds of connections while the admin API was asked (fewer on a loaded machine).
      assert.ok(floodResult.connections >= 200, JSON.stringify(floodResult));
      // Answers on time: a data plane on the control plane's thread answered in 0.24-1.40 s.
      const p95 = percentile(answerMs, 0.95);
      const max = Math.max(...answerMs);
      const figures = `${floodResult.connections} connections; admin answers p95 ${
        p95.toFixed(1)
      } ms, max ${max.toFixed(1)} ms; checks per backend ${
        [...checkTimes.values()].map((t) => t.length).join(", ")
      }`;
      console.log(figures);
      assert.ok(p95 < 200 && max < 1000, figures);
      // Health checks every 100 ms went on: no gap of a second between two of a backend's checks.
      for (const [id, times] of checkTimes) {
        const gaps = times.slice(1).map((t, i) => t - times[i]);
        assert.ok(
          times.length >= FLOOD_MS / CHECK_INTERVAL_MS / 3,
          `${id}: ${times.length} checks`,
        );
        assert.ok(Math.max(...gaps) < 1000, `${id}: checks ${Math.max(...gaps)} ms apart`);
      }
    } finally {
      if (!floodResult) await flood.stop();
    }
  });
}
