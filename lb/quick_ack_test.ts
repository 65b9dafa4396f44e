import assert from "node:assert/strict";
import { allUp, readBytes, send, testBalancer } from "./_test_helpers.ts";
import {
  AF_INET,
  CLOEXEC,
  EAGAIN,
  IPPROTO_TCP,
  type Libc,
  openLibc,
  SOCK_NONBLOCK,
  tcpSocket,
} from "./epoll/libc.ts";
import { encodeSockaddr, localAddress } from "./epoll/sockaddr.ts";

const TCP_INFO = 11;
/** `tcpi_unacked` in Linux's `struct tcp_info`: segments sent and not ACKed yet. */
const UNACKED_OFFSET = 24;
const pause = () => new Promise((resolve) => setTimeout(resolve, 1));

/**
 * A backend on raw sockets, Nagle on, driven step by step by the test, so that what its kernel
 * has not had ACKed yet can be read the moment the client has a reply (TCP_INFO, one system call).
 */
class NagleBackend {
  readonly libc: Libc = openLibc();
  readonly listenFd: number;
  readonly port: number;
  readonly #open = new Set<number>();

  constructor() {
    const { call } = this.libc;
    this.listenFd = tcpSocket(this.libc, AF_INET);
    const address = encodeSockaddr({ hostname: "127.0.0.1", port: 0 })!;
    assert.equal(call.bind(this.listenFd, address, address.length), 0);
    assert.equal(call.listen(this.listenFd, 16), 0);
    this.port = localAddress(this.libc, this.listenFd)!.port;
  }

  /** The accepted connection whose first bytes are `count` long (health checks send none). */
  async acceptAsk(count: number): Promise<number> {
    const { call } = this.libc;
    const buffer = new Uint8Array(count);
    while (true) {
      const fd = call.accept4(this.listenFd, null, null, SOCK_NONBLOCK | CLOEXEC);
      if (fd >= 0) this.#open.add(fd);
      for (const open of this.#open) {
        const n = call.read(open, buffer, count);
        if (n === count) return open;
        if (n === 0) this.#close(open);
      }
      await pause();
    }
  }

  async read(fd: number, count: number): Promise<void> {
    const buffer = new Uint8Array(count);
    let length = 0;
    while (length < count) {
      const n = this.libc.call.read(fd, buffer.subarray(length), count - length);
      if (n > 0) length += n;
      else if (n === 0 || this.libc.errno() !== EAGAIN) throw new Error("The balancer hung up");
      else await pause();
    }
  }

  write(fd: number, bytes: Uint8Array): void {
    assert.equal(this.libc.call.write(fd, bytes, bytes.length), bytes.length);
  }

  unackedSegments(fd: number): number {
    const info = new Uint8Array(256);
    const length = new Uint32Array([info.length]);
    assert.equal(this.libc.call.getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, length), 0);
    return new DataView(info.buffer).getUint32(UNACKED_OFFSET, true);
  }

  close(): void {
    for (const fd of this.#open) this.#close(fd);
    this.libc.call.close(this.listenFd);
    this.libc.close();
  }

  #close(fd: number): void {
    this.libc.call.close(fd);
    this.#open.delete(fd);
  }
}

/**
 * Asks `answers` times over one kept-alive connection through lb; the backend answers each in
 * two writes, as Deno.serve over TLS does: 2 KiB, then the rest. Returns, per answer, the
 * backend's segments not ACKed yet at the moment the client has the first write.
 */
async function unackedWhenClientHasFirstWrite(quickAck: boolean, answers: number) {
  const first = new Uint8Array(2048).fill(97);
  const rest = new TextEncoder().encode("the rest\n");
  const backend = new NagleBackend();
  try {
    const addr = { hostname: "127.0.0.1", port: backend.port };
    await using lb = await testBalancer([{ name: "nagle", addr }], {
      engine: "epoll",
      quickAck,
      rise: 1,
      checkIntervalMs: 60_000,
    });
    await allUp(lb);
    using conn = await Deno.connect(lb.addr);
    await send(conn, "ask\n");
    const fd = await backend.acceptAsk(4);
    const found: number[] = [];
    for (let i = 0; i < answers; i++) {
      if (i > 0) {
        await send(conn, "ask\n");
        await backend.read(fd, 4);
      }
      backend.write(fd, first);
      assert.equal((await readBytes(conn, first.length)).length, first.length);
      found.push(backend.unackedSegments(fd));
      backend.write(fd, rest);
      assert.equal(new TextDecoder().decode(await readBytes(conn, rest.length)), "the rest\n");
    }
    return found;
  } finally {
    backend.close();
  }
}

Deno.test("lb with quick ACKs has ACKed a backend's bytes by the time the client has them, so a Nagle-on backend's next write leaves at once [epoll]", async () => {
  assert.deepEqual(await unackedWhenClientHasFirstWrite(true, 10), Array(10).fill(0));
});

Deno.test("lb without quick ACKs (the default) leaves a backend's bytes to the delayed ACK once answers go back and forth [epoll]", async () => {
  // The first answers on a new connection are ACKed at once anyway (the kernel's quick-ACK start).
  const found = await unackedWhenClientHasFirstWrite(false, 10);
  assert.ok(found.some((segments) => segments > 0), `unACKed segments per answer: ${found}`);
});

Deno.test("lb asked for quick ACKs on the deno engine says they are off", async () => {
  await using lb = await testBalancer([{ name: "b0", addr: { hostname: "127.0.0.1", port: 1 } }], {
    engine: "deno",
    quickAck: true,
    checkIntervalMs: 60_000,
  });
  const warning = lb.logger.lines.find((line) => line.level === "warn");
  assert.match(String(warning?.msg), /quick ACKs are off: only the epoll engine/);
});
