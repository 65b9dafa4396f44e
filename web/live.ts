/**
 * GET /api/stream/devices: Server-Sent Events with the device list. Each stream checks every
 * `liveIntervalMs` and sends an event only when something changed; a comment every 15 s keeps
 * idle connections open. Streams end after `liveMaxMs`, when the session expires, or on
 * shutdown; the browser's EventSource then reconnects (through lb(web), to any live node).
 * Streams on one node share one database query per interval (createSharedLoader).
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { delay } from "@fleetmon/shared/delay";
import type { AppContext, WebEnv } from "./context.ts";
import { getDevices } from "./queries.ts";

const KEEPALIVE_MS = 15_000;

/** Coalesces calls: one load at a time, its result reused while younger than `maxAgeMs`. */
export function createSharedLoader<T>(
  load: () => Promise<T>,
  maxAgeMs: number,
  now: () => number,
): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (last && now() - last.at < maxAgeMs) return last.value;
    const value = load();
    const entry = { at: now(), value };
    last = entry;
    value.catch(() => {
      if (last === entry) last = undefined; // a failure is never cached
    });
    return value;
  };
}

export function devicesStream(ctx: AppContext) {
  const load = createSharedLoader(
    async () => JSON.stringify(await getDevices(ctx.db)),
    Math.max(0, ctx.liveIntervalMs - 100),
    ctx.now,
  );
  return function devicesStream(c: Context<WebEnv>): Response {
    const session = c.get("session");
    const lifetimeMs = Math.min(ctx.liveMaxMs, session.expiresAt.getTime() - ctx.now());
    return streamSSE(c, async (stream) => {
      const ended = new AbortController();
      const end = () => ended.abort();
      const done = ended.signal;
      stream.onAbort(end);
      ctx.signal.addEventListener("abort", end, { once: true });
      if (ctx.signal.aborted) end();
      const lifetime = setTimeout(end, Math.max(0, lifetimeMs));
      ctx.stats.liveStreams++;
      try {
        await stream.write(`retry: ${Math.max(1000, ctx.liveIntervalMs)}\n\n`);
        let sent = "";
        let quietSince = ctx.now();
        while (!done.aborted) {
          let json: string | undefined;
          try {
            json = await load();
          } catch (error) {
            ctx.logger.warn("live stream cannot load devices", { error });
          }
          if (json !== undefined && json !== sent) {
            await stream.writeSSE({ event: "devices", data: json });
            sent = json;
            quietSince = ctx.now();
          } else if (ctx.now() - quietSince >= KEEPALIVE_MS) {
            await stream.write(": keepalive\n\n");
            quietSince = ctx.now();
          }
          await delay(ctx.liveIntervalMs, done);
        }
      } finally {
        clearTimeout(lifetime);
        ctx.signal.removeEventListener("abort", end);
        ctx.stats.liveStreams--;
      }
    });
  };
}
