/**
 * Signed-in users watching the live device list (`GET /api/stream/devices`, Server-Sent Events)
 * through lb(web), reconnecting as EventSource does: after the stream ends or fails, wait the
 * server's `retry` (2 s) and open it again, through lb(web), to whichever node is up.
 */
import { delay } from "@fleetmon/shared/delay";

export interface StreamState {
  events: number;
  reconnects: number;
  /** performance.now() of the last event with data. */
  lastEventAt: number;
}

export class LiveStreams {
  readonly states: StreamState[] = [];
  readonly #stop = new AbortController();
  #loops: Promise<void>[] = [];

  constructor(
    readonly base: string,
    readonly caCert: string,
    readonly cookies: string[],
  ) {}

  start(): void {
    this.#loops = this.cookies.map((cookie, i) => {
      this.states.push({ events: 0, reconnects: 0, lastEventAt: 0 });
      return this.#follow(cookie, this.states[i]);
    });
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }

  async #follow(cookie: string, state: StreamState): Promise<void> {
    while (!this.#stop.signal.aborted) {
      await this.#once(cookie, state).catch(() => {});
      if (this.#stop.signal.aborted) break;
      state.reconnects++;
      await delay(2_000, this.#stop.signal).catch(() => {});
    }
  }

  async #once(cookie: string, state: StreamState): Promise<void> {
    using client = Deno.createHttpClient({ caCerts: [this.caCert], http2: false });
    const response = await fetch(`${this.base}/api/stream/devices`, {
      client,
      headers: { cookie, accept: "text/event-stream" },
      signal: this.#stop.signal,
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel();
      return;
    }
    // A node gone silent (cable pulled) ends no stream: give up after 20 s without a byte.
    let text = "";
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const silent = new Promise<"silent">((resolve) => {
          timer = setTimeout(() => resolve("silent"), 20_000);
        });
        const next = await Promise.race([reader.read(), silent]);
        clearTimeout(timer);
        if (next === "silent" || next.done) return;
        text += next.value;
        let end;
        while ((end = text.indexOf("\n\n")) !== -1) {
          // Any event with data (`page`, `rows`…); comments and `retry:` alone do not count.
          if (/^data:/m.test(text.slice(0, end))) {
            state.events++;
            state.lastEventAt = performance.now();
          }
          text = text.slice(end + 2);
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }
}
