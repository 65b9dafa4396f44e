import assert from "node:assert/strict";
import { waitFor } from "../_test_helpers.ts";
import { CLOEXEC, EPOLLIN, type Libc, openLibc } from "./libc.ts";
import { Poller, type PollerOptions } from "./poller.ts";

/** A real eventfd: readable once something is written to it. */
function eventfd(libc: Libc): number {
  const fd = libc.call.eventfd(0, CLOEXEC);
  assert.ok(fd >= 0, "eventfd");
  return fd;
}

function signal(libc: Libc, fd: number): void {
  libc.call.write(fd, new BigUint64Array([1n]), 8);
}

function drain(libc: Libc, fd: number): void {
  libc.call.read(fd, new Uint8Array(8), 8);
}

async function withPoller(
  options: Partial<PollerOptions>,
  body: (poller: Poller, libc: Libc, errors: unknown[]) => Promise<void> | void,
): Promise<void> {
  const libc = openLibc();
  const errors: unknown[] = [];
  const poller = new Poller(libc, { sliceMs: 50, onError: (e) => errors.push(e), ...options });
  try {
    await body(poller, libc, errors);
  } finally {
    poller.stop();
    await poller.done.catch(() => {});
    libc.close();
  }
}

Deno.test("epoll poller: after its tokens wrap, the listener registered first still hears its events", async () => {
  await withPoller({ maxToken: 3 }, async (poller, libc) => {
    const listener = eventfd(libc);
    let listenerEvents = 0;
    const listenerToken = poller.add(listener, EPOLLIN, {
      onEvents: () => {
        listenerEvents++;
        drain(libc, listener);
      },
      fail: () => {},
    });
    // Many more registrations than tokens, each closed before the next: tokens wrap often.
    for (let i = 0; i < 10; i++) {
      const fd = eventfd(libc);
      const token = poller.add(fd, EPOLLIN, { onEvents: () => {}, fail: () => {} });
      assert.notEqual(token, listenerToken, `registration ${i} took the listener's token`);
      poller.close(fd, token);
    }
    signal(libc, listener);
    await waitFor(() => listenerEvents > 0, "the listener hears its event");
    poller.close(listener, listenerToken);
  });
});

Deno.test("epoll poller: a live registration's token is never handed out again", async () => {
  await withPoller({ maxToken: 4 }, (poller, libc) => {
    const live = new Map<number, number>(); // token → fd
    for (let i = 0; i < 3; i++) {
      const fd = eventfd(libc);
      live.set(poller.add(fd, EPOLLIN, { onEvents: () => {}, fail: () => {} }), fd);
    }
    for (let i = 0; i < 6; i++) {
      const fd = eventfd(libc);
      const token = poller.add(fd, EPOLLIN, { onEvents: () => {}, fail: () => {} });
      assert.ok(!live.has(token), `token ${token} is still live`);
      poller.close(fd, token);
    }
    const last = eventfd(libc);
    live.set(poller.add(last, EPOLLIN, { onEvents: () => {}, fail: () => {} }), last);
    const fd = eventfd(libc);
    assert.throws(
      () => poller.add(fd, EPOLLIN, { onEvents: () => {}, fail: () => {} }),
      RangeError,
    );
    libc.call.close(fd);
    for (const [token, liveFd] of live) poller.close(liveFd, token);
  });
});

/** dup2 from this test's own copy of libc: the engine has no use for it. */
function dup2(oldFd: number, newFd: number): number {
  const library = Deno.dlopen("libc.so.6", {
    dup2: { parameters: ["i32", "i32"], result: "i32" },
  });
  try {
    return library.symbols.dup2(oldFd, newFd);
  } finally {
    library.close();
  }
}

Deno.test("epoll poller: an epoll_wait error other than EINTR ends the loop with that error", async () => {
  await withPoller({}, async (poller, libc) => {
    const wake = eventfd(libc);
    poller.add(wake, EPOLLIN, { onEvents: () => drain(libc, wake), fail: () => {} });
    // Put an eventfd where the epoll descriptor was: every later epoll_wait fails with EINVAL.
    const notEpoll = eventfd(libc);
    assert.equal(dup2(notEpoll, poller.fd), poller.fd);
    libc.call.close(notEpoll);
    signal(libc, wake); // wakes the wait already under way on the worker thread
    let failure: unknown;
    poller.done.catch((error) => failure = error);
    await waitFor(() => failure !== undefined, "the loop ends with the error");
    assert.match(String(failure), /epoll_wait failed: EINVAL/);
    libc.call.close(wake);
  });
});
