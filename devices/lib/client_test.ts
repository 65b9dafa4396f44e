import assert from "node:assert/strict";
import { AuthError } from "@fleetmon/shared/errors";
import { freePort } from "@fleetmon/shared/socket";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { createDeviceClient } from "./client.ts";
import type { DeviceClientOptions } from "./types.ts";
import { ackEverything, eventually, type Frame, startTestPeer } from "./_test_peer.ts";

const options = (port: number, extra: Partial<DeviceClientOptions> = {}): DeviceClientOptions => ({
  target: { hostname: "127.0.0.1", port },
  device: "dev-1",
  token: "fm_token",
  logger: createMemoryLogger(),
  bufferLimit: 100,
  backoff: { initialMs: 20, maxMs: 200, jitter: "none" },
  ...extra,
});
const seqsOf = (frames: Frame[]) => frames.map((f) => f.seq as number);

Deno.test("client says hello, sends readings with increasing seqs and drains once acked", async () => {
  await using peer = startTestPeer();
  const acked: number[] = [];
  await using client = createDeviceClient(
    options(peer.port, { agent: "test/1", events: { onAcked: (seqs) => acked.push(...seqs) } }),
  );
  const seqs = [client.send({ cpu: 0.5 }), client.send({ cpu: 0.6 }, 1_000), client.send({ x: 1 })];
  assert.ok(seqs[0] > Date.now() * 1000 - 10_000_000, "seqs start from the clock");
  assert.deepEqual(seqs, [seqs[0], seqs[0] + 1, seqs[0] + 2]);
  assert.equal(await client.drain(5_000), true);
  assert.deepEqual(acked, seqs);
  const [hello, ...rest] = peer.connections[0].frames;
  assert.deepEqual(hello, {
    type: "hello",
    v: 1,
    device: "dev-1",
    token: "fm_token",
    agent: "test/1",
  });
  assert.deepEqual(seqsOf(rest), seqs);
  assert.equal(rest[1].ts, 1_000);
  assert.equal(client.state, "ready");
  assert.equal(client.node, "peer");
  const stats = client.stats;
  assert.deepEqual([stats.sent, stats.acked, stats.buffered, stats.inFlight], [3, 3, 0, 0]);
});

Deno.test("an exact range ack removes only the readings inside it", async () => {
  // Acks the 1st and 2nd as one range and the 4th alone, never the 3rd.
  const held: number[] = [];
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type !== "reading") return ackEverything(conn, frame);
    held.push(frame.seq as number);
    if (held.length === 4) {
      return [{ type: "ack", from: held[0], seq: held[1] }, { type: "ack", seq: held[3] }];
    }
  });
  const acked: number[] = [];
  await using client = createDeviceClient(
    options(peer.port, { events: { onAcked: (seqs) => acked.push(...seqs) } }),
  );
  for (let i = 0; i < 4; i++) client.send({ v: i });
  await eventually(() => client.stats.acked === 3, 5_000, "three acks");
  assert.deepEqual(acked, [held[0], held[1], held[3]]);
  assert.equal(client.stats.buffered, 1);
  assert.equal(await client.drain(100), false);
});

Deno.test("after the connection drops, unacked readings are resent on the next one", async () => {
  let readingsSeen = 0;
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type !== "reading") return ackEverything(conn, frame);
    readingsSeen++;
    if (readingsSeen <= 2) return [{ type: "ack", seq: frame.seq }];
    if (readingsSeen === 5) conn.close(); // 3rd to 5th are lost with the connection
    if (readingsSeen > 5) return [{ type: "ack", seq: frame.seq }];
  });
  await using client = createDeviceClient(options(peer.port));
  const seqs = Array.from({ length: 5 }, (_, i) => client.send({ v: i }));
  assert.equal(await client.drain(5_000), true);
  assert.equal(peer.connections.length, 2);
  assert.deepEqual(seqsOf(peer.connections[1].frames.slice(1)), seqs.slice(2));
  assert.equal(client.stats.resent, 3);
  assert.equal(client.stats.acked, 5);
});

Deno.test("a reading refused with server_busy is resent after retryAfterMs, not before", async () => {
  let refusedAt = 0;
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type !== "reading") return ackEverything(conn, frame);
    if (refusedAt === 0) {
      refusedAt = Date.now();
      return [{
        type: "nack",
        seq: frame.seq,
        code: "server_busy",
        reason: "r",
        retryAfterMs: 300,
      }];
    }
    return [{ type: "ack", seq: frame.seq }];
  });
  const nacked: string[] = [];
  await using client = createDeviceClient(
    options(peer.port, { events: { onNacked: (_seq, code) => nacked.push(code) } }),
  );
  const seq = client.send({ v: 1 });
  await eventually(() => refusedAt > 0, 5_000, "the first send");
  client.send({ v: 2 }); // held back by the pause too
  assert.equal(await client.drain(5_000), true);
  const resends = peer.readings().slice(1);
  assert.deepEqual(seqsOf(resends), [seq, seq + 1], "resent first, in seq order");
  assert.ok(Date.now() - refusedAt >= 290, "waited for retryAfterMs");
  assert.equal(peer.connections.length, 1, "retry later is not a reason to reconnect");
  assert.deepEqual(nacked, ["server_busy"]);
  assert.deepEqual(client.stats.nacked, { server_busy: 1 });
  assert.deepEqual(client.stats.dropped, {});
});

Deno.test("a reading refused for good is dropped with its code and not resent", async () => {
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type === "reading" && (frame.metrics as Frame).bad === 1) {
      return [{ type: "nack", seq: frame.seq, code: "invalid_reading", reason: "ts: too old" }];
    }
    return ackEverything(conn, frame);
  });
  const dropped: [number, string][] = [];
  await using client = createDeviceClient(options(peer.port, {
    events: {
      onDropped: (readings, reason) => readings.forEach((r) => dropped.push([r.seq, reason])),
    },
  }));
  client.send({ good: 1 });
  const bad = client.send({ bad: 1 });
  client.send({ good: 2 });
  assert.equal(await client.drain(5_000), true);
  assert.deepEqual(dropped, [[bad, "invalid_reading"]]);
  assert.deepEqual(client.stats.dropped, { invalid_reading: 1 });
  assert.equal(client.stats.acked, 2);
  assert.equal(peer.readings().length, 3);
});

Deno.test("a refused identity stops the client without reconnecting", async () => {
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type === "hello") {
      return [{ type: "nack", code: "bad_token", reason: "Token does not match", fatal: true }];
    }
    return ackEverything(conn, frame);
  });
  let failure: Error | undefined;
  await using client = createDeviceClient(
    options(peer.port, { events: { onFailed: (error) => failure = error } }),
  );
  client.send({ v: 1 });
  assert.equal(await client.drain(5_000), false);
  assert.equal(client.state, "failed");
  assert.ok(client.error instanceof AuthError);
  assert.equal((client.error as AuthError).code, "bad_token");
  assert.equal(failure, client.error);
  assert.match(client.error.message, /dev-1: bad_token: Token does not match/);
  assert.throws(() => client.send({ v: 2 }), /the device client stopped/);
  // Several backoff periods later, still one connection.
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(peer.connections.length, 1);
  assert.equal(client.stats.buffered, 1, "the reading is kept, not claimed stored");
});

Deno.test("asked to reconnect, the client waits retryAfterMs and resends what is unacked", async () => {
  let askedAt = 0;
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type !== "reading") return ackEverything(conn, frame);
    if (askedAt === 0) {
      askedAt = Date.now();
      setTimeout(() => conn.close(), 20); // a draining node closes once settled
      return [{ type: "reconnect", reason: "draining", retryAfterMs: 250 }];
    }
    return [{ type: "ack", seq: frame.seq }];
  });
  const states: string[] = [];
  await using client = createDeviceClient(options(peer.port, {
    events: { onStateChange: (_from, to) => states.push(to) },
  }));
  const seq = client.send({ v: 1 });
  assert.equal(await client.drain(5_000), true);
  assert.equal(peer.connections.length, 2);
  assert.ok(peer.connections[1].acceptedAt - askedAt >= 240, "waited before reconnecting");
  assert.deepEqual(seqsOf(peer.connections[1].frames.slice(1)), [seq]);
  assert.deepEqual(states, ["ready", "draining", "backoff", "connecting", "ready"]);
});

Deno.test("connection failures back off exponentially", async () => {
  await using peer = startTestPeer((conn) => conn.close() ?? undefined);
  await using client = createDeviceClient(
    options(peer.port, { backoff: { initialMs: 40, maxMs: 1_000, jitter: "none" } }),
  );
  await eventually(() => peer.connections.length >= 4, 5_000, "four attempts");
  const at = peer.connections.map((c) => c.acceptedAt);
  const gaps = at.slice(1, 4).map((t, i) => t - at[i]);
  assert.ok(gaps[0] >= 35 && gaps[1] >= 75 && gaps[2] >= 155, `gaps ${gaps}`);
  assert.ok(gaps[2] < 600, `gaps ${gaps}`);
  assert.ok(client.stats.connectFailures >= 3);
  assert.equal(client.stats.connects, 0);
});

Deno.test("a node that never welcomes is left after helloTimeoutMs", async () => {
  await using peer = startTestPeer(() => undefined);
  await using client = createDeviceClient(options(peer.port, { helloTimeoutMs: 100 }));
  await eventually(() => peer.connections.length >= 2, 5_000, "a second attempt");
  await peer.connections[0].closed;
  assert.equal(client.stats.connects, 0);
});

Deno.test("a node that stops answering is left after ackTimeoutMs and readings are resent", async () => {
  let silent = true;
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type === "reading" && silent) return;
    return ackEverything(conn, frame);
  });
  await using client = createDeviceClient(options(peer.port, { ackTimeoutMs: 150 }));
  const seq = client.send({ v: 1 });
  await eventually(() => peer.connections.length === 2, 5_000, "a reconnect");
  silent = false;
  assert.equal(await client.drain(5_000), true);
  assert.deepEqual(seqsOf(peer.readings()).slice(0, 2), [seq, seq]);
});

Deno.test("an idle client pings", async () => {
  await using peer = startTestPeer();
  await using client = createDeviceClient(options(peer.port, { pingIntervalMs: 60 }));
  await eventually(
    () => (peer.connections[0]?.frames.filter((f) => f.type === "ping").length ?? 0) >= 2,
    5_000,
    "two pings",
  );
  assert.equal(client.state, "ready");
});

Deno.test("no more than maxInFlight readings wait for acks at once", async () => {
  let acking = false;
  const unacked: number[] = [];
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type !== "reading") return ackEverything(conn, frame);
    unacked.push(frame.seq as number);
    if (acking) return unacked.splice(0).map((seq) => ({ type: "ack", seq }));
  });
  await using client = createDeviceClient(options(peer.port, { maxInFlight: 5 }));
  for (let i = 0; i < 20; i++) client.send({ v: i });
  await eventually(() => peer.readings().length === 5, 5_000, "a full window");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(peer.readings().length, 5);
  acking = true;
  await peer.connections[0].send(...unacked.splice(0).map((seq) => ({ type: "ack", seq })));
  assert.equal(await client.drain(5_000), true);
  assert.equal(peer.readings().length, 20);
});

Deno.test("overflow while disconnected drops the oldest and the rest arrive later", async () => {
  const port = freePort();
  const dropped: number[] = [];
  await using client = createDeviceClient(options(port, {
    bufferLimit: 5,
    events: {
      onDropped: (readings, reason) =>
        reason === "overflow" && dropped.push(...readings.map((r) => r.seq)),
    },
  }));
  const seqs = Array.from({ length: 8 }, (_, i) => client.send({ v: i }));
  assert.deepEqual(dropped, seqs.slice(0, 3));
  assert.deepEqual(client.stats.dropped, { overflow: 3 });
  await using peer = startTestPeer(ackEverything, port);
  assert.equal(await client.drain(5_000), true);
  assert.deepEqual(seqsOf(peer.readings()), seqs.slice(3));
});

Deno.test("with a buffer file, a restarted client resends what was never acked", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bufferFile = `${dir}/buffer.jsonl`;
    let acking = false;
    await using peer = startTestPeer((conn, frame) => {
      if (frame.type === "reading" && !acking) {
        return (frame.metrics as Frame).v === 0 ? [{ type: "ack", seq: frame.seq }] : undefined;
      }
      return ackEverything(conn, frame);
    });
    const first = createDeviceClient(options(peer.port, { bufferFile }));
    const old = Array.from({ length: 4 }, (_, i) => first.send({ v: i }));
    await eventually(() => peer.readings().length === 4 && first.stats.acked === 1);
    await first.close();

    acking = true;
    await using second = createDeviceClient(options(peer.port, { bufferFile }));
    assert.equal(second.stats.buffered, 3);
    const fresh = second.send({ v: 9 });
    assert.ok(fresh > old[3], "seqs keep increasing across restarts");
    assert.equal(await second.drain(5_000), true);
    assert.deepEqual(seqsOf(peer.connections[1].frames.slice(1)), [...old.slice(1), fresh]);
    await second.close();
    const third = createDeviceClient(options(freePort(), { bufferFile }));
    assert.equal(third.stats.buffered, 0, "acked readings are not resent after another restart");
    await third.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("send refuses readings the server would refuse", async () => {
  await using client = createDeviceClient(options(freePort()));
  assert.throws(() => client.send({ cpu: Number.NaN }), /not a finite number/);
  assert.throws(() => client.send({ "a b": 1 }), /metric name/);
  assert.equal(client.stats.buffered, 0);
  await client.close();
  assert.throws(() => client.send({ cpu: 1 }), /client is closed/);
  assert.equal(client.state, "closed");
});

Deno.test("client paces its sends by the rate and burst comm's welcome gives", async () => {
  const arrivals: number[] = [];
  let welcomedAt = 0;
  await using peer = startTestPeer((conn, frame) => {
    if (frame.type === "hello") {
      welcomedAt = Date.now();
      return [{
        type: "welcome",
        v: 1,
        node: "peer",
        limits: { ratePerSecond: 100, rateBurst: 10 },
      }];
    }
    if (frame.type === "reading") arrivals.push(Date.now());
    return ackEverything(conn, frame);
  });
  await using client = createDeviceClient(options(peer.port));
  for (let i = 0; i < 40; i++) client.send({ i });
  assert.equal(await client.drain(10_000), true);
  // Reading i may leave once the burst of 10 and (i − 9) refills at 100 a second were there.
  for (let i = 10; i < 40; i++) {
    const earliest = welcomedAt + ((i - 9) / 100) * 1000;
    assert.ok(arrivals[i] >= earliest - 5, `reading ${i} came ${earliest - arrivals[i]} ms early`);
  }
  assert.deepEqual(client.stats.nacked, {});
});

Deno.test("client keeps why its last connection ended, e.g. comm refusing it by name", async () => {
  await using peer = startTestPeer((_conn, frame) => {
    if (frame.type !== "hello") return;
    return [{
      type: "nack",
      code: "invalid_frame",
      reason: "Cannot accept connection: no PROXY protocol header, but this node runs with " +
        "--proxy-protocol",
      fatal: true,
    }];
  });
  await using client = createDeviceClient(options(peer.port));
  await eventually(() => client.stats.lastDisconnect !== undefined, 5_000, "a disconnect");
  assert.match(client.stats.lastDisconnect!, /^refused: invalid_frame: .*--proxy-protocol/);
  assert.equal(client.stats.connects, 0);
  assert.notEqual(client.state, "failed", "a misconfigured node is no reason to stop for good");
});
