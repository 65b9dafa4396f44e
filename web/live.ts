/**
 * Live updates as Server-Sent Events. Each stream looks every `liveIntervalMs` and sends only
 * what changed; a comment every 15 s keeps idle connections open. Streams end after
 * `liveMaxMs`, when the session expires, or on shutdown; the browser's EventSource then
 * reconnects (through lb(web), to any live node). Everything comes from the node's in-memory
 * fleet index, so a thousand open tabs cost no database queries.
 *
 * - `/api/stream/devices?…` (the list's query): first `page` (total and the page's rows); then
 *   `rows` with only the rows whose content changed, or `page` again when the set or order of
 *   rows or the total changed.
 * - `/api/stream/overview`: `overview` whenever a figure changed.
 */
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { delay } from "@fleetmon/shared/delay";
import type { AppContext, WebEnv } from "./context.ts";
import type { FleetQuery } from "./fleet/mod.ts";

const KEEPALIVE_MS = 15_000;

/** Runs `tick` every liveIntervalMs on an SSE stream; `tick` returns whether it sent anything. */
function liveStream(
  ctx: AppContext,
  tick: (stream: SSEStreamingApi) => Promise<boolean>,
) {
  return function liveStream(c: Context<WebEnv>): Response {
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
        let quietSince = ctx.now();
        while (!done.aborted) {
          let sent = false;
          try {
            sent = await tick(stream);
          } catch (error) {
            ctx.logger.warn("live stream cannot update", { error });
          }
          if (sent) quietSince = ctx.now();
          else if (ctx.now() - quietSince >= KEEPALIVE_MS) {
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

export function devicesStream(ctx: AppContext, query: FleetQuery) {
  let sentRows = new Map<string, string>();
  let sentShape = "";
  return liveStream(ctx, async (stream) => {
    await ctx.fleet.sync(ctx.liveIntervalMs / 2);
    const page = ctx.fleet.query(query);
    const shape = JSON.stringify([page.total, page.devices.map((d) => d.id)]);
    const rows = new Map(page.devices.map((d) => [d.id, JSON.stringify(d)]));
    const changed = page.devices.filter((d) => sentRows.get(d.id) !== rows.get(d.id));
    const previousShape = sentShape;
    sentRows = rows;
    sentShape = shape;
    if (shape !== previousShape) {
      await stream.writeSSE({ event: "page", data: JSON.stringify(page) });
      return true;
    }
    if (changed.length === 0) return false;
    await stream.writeSSE({ event: "rows", data: JSON.stringify({ devices: changed }) });
    return true;
  });
}

export function overviewStream(ctx: AppContext) {
  let sent = "";
  return liveStream(ctx, async (stream) => {
    await ctx.fleet.sync(ctx.liveIntervalMs / 2);
    const { at: _at, ...figures } = ctx.fleet.overview();
    const json = JSON.stringify(figures);
    if (json === sent) return false;
    sent = json;
    await stream.writeSSE({ event: "overview", data: JSON.stringify(ctx.fleet.overview()) });
    return true;
  });
}
