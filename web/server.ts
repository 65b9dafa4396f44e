/**
 * createWebServer: serves an app over HTTPS with Deno.serve. Each web node holds its own copy of
 * the certificate and key (lb(web) passes TLS through untouched) and terminates TLS itself.
 */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { Logger } from "@fleetmon/shared/log";
import { handoverRisk, readMigrateSysctl } from "./handover.ts";

export interface WebServerOptions {
  listen: HostPort;
  /** PEM files, absolute or relative to the working directory. */
  certFile: string;
  keyFile: string;
  app: { fetch(request: Request, env: { remoteAddr: Deno.Addr }): Response | Promise<Response> };
  logger: Logger;
  /** How long close() waits for in-flight requests before giving up on them; default 10 s. */
  shutdownTimeoutMs?: number;
}

export interface WebServer {
  /** The bound address ("127.0.0.1:8101"), with the real port when 0 was asked. */
  addr: string;
  /**
   * Reads the certificate and key files again and serves new connections with them; open
   * connections finish on the old pair. Throws, changing nothing, when the new pair does not load.
   */
  reloadCertificate(): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

type Handler = Deno.ServeHandler<Deno.NetAddr>;

/**
 * One HTTPS listener. With `reusePort`, a second listener can take the same port while the first
 * still runs, so a certificate reload never refuses a connection; Deno allows it on a TLS listener
 * only with `--unstable-net` (deno.json's "unstable": ["net"], or the unit's flag). Connections the
 * kernel queued on the first when it closes survive only with net.ipv4.tcp_migrate_req=1
 * (handover.ts).
 */
function listen(
  at: HostPort,
  pair: { cert: string; key: string },
  reusePort: boolean,
  handler: Handler,
  logger: Logger,
): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({
    hostname: at.hostname,
    port: at.port,
    ...pair,
    reusePort,
    onListen: () => {},
    onError: (error) => {
      logger.error("unhandled request error", { error });
      return new Response("Internal server error", { status: 500 });
    },
  }, handler);
}

const needsUnstableNet = (error: unknown) => /--unstable-net/.test(String(error));

/** Throws AddrInUse when another socket holds the address: reusePort alone would share it. */
function assertFree(at: HostPort): void {
  if (at.port === 0) return;
  Deno.listen({ hostname: at.hostname, port: at.port }).close();
}

export async function createWebServer(options: WebServerOptions): Promise<WebServer> {
  const logger = options.logger;
  const readPair = async () => ({
    cert: await readPem(options.certFile, "certificate"),
    key: await readPem(options.keyFile, "private key"),
  });
  const pair = await readPair();
  const handler: Handler = (request, info) =>
    options.app.fetch(request, { remoteAddr: info.remoteAddr });
  let reusePort = true;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    assertFree(options.listen);
    try {
      server = listen(options.listen, pair, true, handler, logger);
    } catch (error) {
      if (!needsUnstableNet(error)) throw error;
      reusePort = false;
      logger.warn(
        "certificate reload will refuse connections for a moment: run with --unstable-net",
        {},
      );
      server = listen(options.listen, pair, false, handler, logger);
    }
  } catch (error) {
    throw new Error(
      `Cannot start web server on ${formatHostPort(options.listen)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const bound: HostPort = { hostname: server.addr.hostname, port: server.addr.port };
  const addr = formatHostPort(bound);
  const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
  /** Listeners replaced by a reload, finishing their open connections. */
  const draining = new Set<Promise<void>>();
  const retire = (old: Deno.HttpServer<Deno.NetAddr>) => {
    const done = shutdownWithin(old, timeoutMs, logger);
    draining.add(done);
    done.finally(() => draining.delete(done));
  };
  let closing: Promise<void> | undefined;
  let reloading: Promise<void> = Promise.resolve();

  const reloadOnce = async () => {
    if (closing) throw new Error("Cannot reload the certificate: the server is closing");
    const next = await readPair();
    if (reusePort) {
      // Throws (KeyMismatch, bad PEM) before anything changes.
      const fresh = listen(bound, next, true, handler, logger);
      const old = server;
      server = fresh;
      retire(old);
      const risk = handoverRisk(readMigrateSysctl());
      if (risk) logger.warn("certificate reload may have reset connections", { reason: risk });
      return;
    }
    // Without reusePort: check the pair on a throw-away listener, then swap listeners.
    Deno.listenTls({ hostname: "127.0.0.1", port: 0, ...next }).close();
    const old = server;
    retire(old);
    server = await listenWhenFree(() => listen(bound, next, false, handler, logger));
  };

  const close = () => {
    closing ??= reloading.then(async () => {
      await shutdownWithin(server, timeoutMs, logger);
      await Promise.all(draining);
    });
    return closing;
  };
  return {
    addr,
    reloadCertificate() {
      const run = reloading.then(reloadOnce);
      reloading = run.catch(() => {});
      return run;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Shuts a listener down, giving in-flight requests `timeoutMs`. */
async function shutdownWithin(
  server: Deno.HttpServer<Deno.NetAddr>,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) =>
    timer = setTimeout(() => resolve("late"), timeoutMs)
  );
  const result = await Promise.race([server.shutdown(), late]);
  clearTimeout(timer);
  if (result === "late") {
    logger.warn("shutdown timed out: in-flight requests abandoned", { timeoutMs });
  }
}

/** Retries `start` while the old listener still holds the port: 50 tries, 10 ms apart. */
async function listenWhenFree<T>(start: () => T): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return start();
    } catch (error) {
      if (!(error instanceof Deno.errors.AddrInUse) || attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

async function readPem(path: string, what: string): Promise<string> {
  try {
    const text = await Deno.readTextFile(path);
    if (!text.includes("-----BEGIN ")) {
      throw new Error(`Cannot start web server: ${what} file "${path}" is not PEM`);
    }
    return text;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot start web server: ${what} file "${path}" not found ` +
          `(working directory ${Deno.cwd()}); create one with web/cert.ts ensureSelfSignedCert`,
        { cause: error },
      );
    }
    throw error;
  }
}
