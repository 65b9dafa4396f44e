import assert from "node:assert/strict";
import {
  allUp,
  ENGINES,
  readBytes,
  send,
  startBackend,
  testBalancer,
  waitFor,
} from "./_test_helpers.ts";

const openFds = () => [...Deno.readDirSync("/proc/self/fd")].length;

type TestBalancer = Awaited<ReturnType<typeof testBalancer>>;

/**
 * Every 10th connection is ended by the client, the others by the backend. Whoever closes first
 * keeps the connection's port pair in TIME_WAIT for 60 s: when that is the connecting side (the
 * test towards lb, lb towards the backend), it holds one of the host's ephemeral ports towards
 * that address, and 2 × 10,500 such connections in a few seconds could take every one on a host
 * with a narrow range (an empty reply, EADDRNOTAVAIL in lb's log). Ended by the backend, the
 * TIME_WAIT sits on the listening ports instead.
 */
const CLIENT_CLOSES_EVERY = 10;

/**
 * Connects, exchanges one small message through the balancer, and disconnects, `count` times.
 * "ping" is answered and then closed by the backend; "echo" is echoed until the client closes.
 * A wrong reply fails with what the balancer counted and logged, so a failure says whether lb
 * found no backend (a failed connect, and why) or a relay ended early.
 */
async function churn(lb: TestBalancer, count: number, concurrency: number) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const attempt = ++next;
      const clientCloses = attempt % CLIENT_CLOSES_EVERY === 0;
      const conn = await Deno.connect(lb.addr);
      try {
        await send(conn, clientCloses ? "echo" : "ping");
        // The backend's answer, and then (when the backend closes) the end of the stream.
        const reply = new TextDecoder().decode(await readBytes(conn, clientCloses ? 4 : 5));
        if (reply !== (clientCloses ? "echo" : "ping")) {
          // The data plane's counts and log lines reach this thread a moment later.
          await new Promise((r) => setTimeout(r, 100));
          throw new Error(
            `Unexpected reply to connection ${attempt} of ${count}: "${reply}"; ${whatLbSaw(lb)}`,
          );
        }
      } finally {
        conn.close();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The balancer's counts and its warnings and errors, for a failure message. */
function whatLbSaw(lb: TestBalancer): string {
  const { connections, backends } = lb.stats();
  const problems = lb.logger.lines.filter((line) =>
    line.level === "warn" || line.level === "error"
  );
  const sysctl = (name: string) => Deno.readTextFileSync(`/proc/sys/net/ipv4/${name}`).trim();
  return JSON.stringify({
    host: {
      ip_local_port_range: sysctl("ip_local_port_range"),
      tcp_tw_reuse: sysctl("tcp_tw_reuse"),
    },
    connections,
    backends: backends.map(({ id, state, total, failedConnects, lastCheck }) => ({
      id,
      state,
      total,
      failedConnects,
      lastCheck,
    })),
    problems: problems.slice(0, 5),
    moreProblems: Math.max(0, problems.length - 5),
  });
}

for (const engine of ENGINES) {
  Deno.test(`lb: 10,000 connects and disconnects leave open file descriptors and memory at their baseline [${engine}]`, async () => {
    await using echoBackend = startBackend("echo", {
      handler: async (conn) => {
        const buffer = new Uint8Array(64);
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) break;
          await conn.write(buffer.subarray(0, n));
          if (new TextDecoder().decode(buffer.subarray(0, n)) === "ping") break; // then closes
        }
      },
    });
    await using lb = await testBalancer([echoBackend], { engine, checkIntervalMs: 1000 });
    await allUp(lb);
    const idle = () => lb.stats().connections.active === 0 && echoBackend.accepted > 0;
    const settle = async () => {
      await waitFor(() => lb.stats().connections.active === 0, "every relay ended", 10_000);
      await new Promise((r) => setTimeout(r, 50));
    };

    // Warm up so that buffer pools, JIT code and lazily made objects exist before the baseline.
    await churn(lb, 500, 20);
    await settle();
    const fdsBefore = openFds();
    const memoryBefore = await lb.dataPlaneMemory();
    const rssBefore = Deno.memoryUsage().rss;

    const started = performance.now();
    await churn(lb, 10_000, 20);
    await settle();
    const elapsed = Math.round(performance.now() - started);

    const fdsAfter = openFds();
    const memoryAfter = await lb.dataPlaneMemory();
    const rssAfter = Deno.memoryUsage().rss;
    const stats = lb.stats();
    assert.ok(idle());
    assert.equal(stats.connections.total, 10_500);
    assert.equal(stats.backends[0].total, 10_500);
    assert.equal(stats.backends[0].failedConnects, 0);
    assert.ok(fdsAfter <= fdsBefore + 2, `fds: ${fdsBefore} before, ${fdsAfter} after`);
    const heapGrowthMb = (memoryAfter.heapUsed - memoryBefore.heapUsed) / 2 ** 20;
    const rssGrowthMb = (rssAfter - rssBefore) / 2 ** 20;
    assert.ok(heapGrowthMb < 4, `heap grew ${heapGrowthMb.toFixed(1)} MiB`);
    assert.ok(rssGrowthMb < 64, `rss grew ${rssGrowthMb.toFixed(1)} MiB`);
    console.log(
      `10,000 connections in ${elapsed} ms; fds ${fdsBefore} → ${fdsAfter}; heap ${
        heapGrowthMb.toFixed(1)
      } MiB, rss ${rssGrowthMb.toFixed(1)} MiB growth`,
    );
  });

  Deno.test(`lb holds little buffer memory per idle connection, and relays a stream whole [${engine}]`, async () => {
    await using echoBackend = startBackend("echo", {
      handler: async (conn) => {
        const buffer = new Uint8Array(2 * 1024);
        while (true) {
          const n = await conn.read(buffer);
          if (n === null) break;
          let offset = 0;
          while (offset < n) offset += await conn.write(buffer.subarray(offset, n));
        }
      },
    });
    await using lb = await testBalancer([echoBackend], { engine, checkIntervalMs: 1000 });
    await allUp(lb);
    const conns: Deno.TcpConn[] = [];
    try {
      const before = (await lb.dataPlaneMemory()).external;
      for (let i = 0; i < 500; i++) {
        const conn = await Deno.connect(lb.addr);
        conns.push(conn);
        await send(conn, "hi");
        assert.equal(new TextDecoder().decode(await readBytes(conn, 2)), "hi");
      }
      const perConnection = ((await lb.dataPlaneMemory()).external - before) / 500;
      // The data plane's own memory: deno, two 4 KiB waiting buffers (two 64 KiB relay buffers
      // would make it 130 KiB); epoll, none (one read buffer serves every connection).
      const kib = Math.round(perConnection / 1024);
      const limit = engine === "deno" ? 12 : 4;
      assert.ok(kib <= limit, `${kib} KiB per idle connection, the backend's 2 KiB included`);

      // A stream through one connection is relayed whole (deno: through borrowed large buffers).
      const bulk = Uint8Array.from({ length: 4 * 1024 * 1024 }, (_, i) => i % 251);
      const writing = (async () => {
        let offset = 0;
        while (offset < bulk.length) offset += await conns[0].write(bulk.subarray(offset));
      })();
      const read = await readBytes(conns[0], bulk.length);
      await writing;
      assert.equal(read.length, bulk.length);
      assert.deepEqual(read, bulk, "the same bytes in the same order");
    } finally {
      for (const conn of conns) conn.close();
    }
    await waitFor(() => lb.stats().connections.active === 0, "every relay ended");
  });
}
