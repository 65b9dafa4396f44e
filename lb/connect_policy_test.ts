import assert from "node:assert/strict";
import { createMemoryLogger } from "@fleetmon/shared/log";
import { errnoError } from "./epoll/libc.ts";
import { type ProxyContext, recordConnectFailure, type Target } from "./connect_policy.ts";

function target() {
  const logger = createMemoryLogger("lb");
  let healthFailures = 0;
  const backend = {
    id: "b0",
    address: { hostname: "127.0.0.1", port: 7101 },
    proxyProtocol: undefined,
    logger,
    available: true,
    connections: new Set(),
    total: 0,
    failedConnects: 0,
    txBytes: 0,
    rxBytes: 0,
    recordFailedConnect: () => void healthFailures++,
  } satisfies Target;
  return { backend, logger, healthFailures: () => healthFailures };
}

const context = { outOfDescriptors: () => {} } as unknown as ProxyContext;

Deno.test("a refused connect counts against the backend's health", () => {
  const { backend, logger, healthFailures } = target();
  recordConnectFailure(context, backend, errnoError(111, "Cannot connect to 127.0.0.1:7101"));
  assert.equal(backend.failedConnects, 1);
  assert.equal(healthFailures(), 1);
  assert.equal(logger.lines[0].level, "warn");
});

Deno.test("a connect without a free local port (EADDRNOTAVAIL) is counted and logged as an error, but leaves the backend's health alone", () => {
  for (
    const error of [
      errnoError(99, "Cannot connect to 127.0.0.1:7101"), // the epoll engine's
      new Deno.errors.AddrNotAvailable("Cannot assign requested address (os error 99)"), // deno's
    ]
  ) {
    const { backend, logger, healthFailures } = target();
    recordConnectFailure(context, backend, error);
    assert.equal(backend.failedConnects, 1);
    assert.equal(healthFailures(), 0);
    assert.equal(logger.lines[0].level, "error");
    assert.match(String(logger.lines[0].msg), /no free local port/);
  }
});
