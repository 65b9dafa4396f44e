/**
 * createWebServer: serves an app over HTTPS with Deno.serve. Each web node holds its own copy of
 * the certificate and key (lb(web) passes TLS through untouched) and terminates TLS itself.
 */
import { formatHostPort, type HostPort } from "@fleetmon/shared/net";
import type { Logger } from "@fleetmon/shared/log";

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
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function createWebServer(options: WebServerOptions): Promise<WebServer> {
  const cert = await readPem(options.certFile, "certificate");
  const key = await readPem(options.keyFile, "private key");
  const logger = options.logger;
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    server = Deno.serve({
      hostname: options.listen.hostname,
      port: options.listen.port,
      cert,
      key,
      onListen: () => {},
      onError: (error) => {
        logger.error("unhandled request error", { error });
        return new Response("Internal server error", { status: 500 });
      },
    }, (request, info) => options.app.fetch(request, { remoteAddr: info.remoteAddr }));
  } catch (error) {
    throw new Error(
      `Cannot start web server on ${formatHostPort(options.listen)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const addr = formatHostPort({ hostname: server.addr.hostname, port: server.addr.port });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      const timeoutMs = options.shutdownTimeoutMs ?? 10_000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<"late">((resolve) =>
        timer = setTimeout(() => resolve("late"), timeoutMs)
      );
      const result = await Promise.race([server.shutdown(), late]);
      clearTimeout(timer);
      if (result === "late") {
        logger.warn("shutdown timed out: in-flight requests abandoned", { timeoutMs });
      }
    })();
    return closing;
  };
  return { addr, close, [Symbol.asyncDispose]: close };
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
