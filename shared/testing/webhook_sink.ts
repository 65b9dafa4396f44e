/**
 * A local HTTP server for tests and benchmarks that receives webhooks and keeps them, with the
 * moment each arrived. `respond` chooses each answer's status (default 200), to test retries.
 */
export interface ReceivedHook {
  path: string;
  headers: Headers;
  body: string;
  /** performance.timeOrigin + performance.now() at arrival: comparable across processes. */
  receivedAt: number;
}

export interface WebhookSink {
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startWebhookSink(
  options: { respond?: (hook: ReceivedHook, index: number) => number; hostname?: string } = {},
): WebhookSink {
  const received: ReceivedHook[] = [];
  const server = Deno.serve({
    hostname: options.hostname ?? "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const hook = {
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: await request.text(),
      receivedAt: performance.timeOrigin + performance.now(),
    };
    const status = options.respond?.(hook, received.length) ?? 200;
    received.push(hook);
    return new Response(null, { status });
  });
  const addr = server.addr as Deno.NetAddr;
  const close = () => server.shutdown();
  return {
    url: `http://${addr.hostname}:${addr.port}/hook`,
    received,
    close,
    [Symbol.asyncDispose]: close,
  };
}
