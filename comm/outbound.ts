/**
 * Frames waiting to go out on one connection. Writes are serialised and coalesced: while one
 * write is under way, later frames collect and go out together in the next.
 */
import { writeAll } from "@fleetmon/shared/socket";
export class Outbound {
  readonly #conn: Deno.Conn;
  readonly #maxQueuedBytes: number;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #pump: Promise<void> | undefined;
  #failed = false;

  /** `onOverflow` runs when the peer stops reading and more than `maxQueuedBytes` wait. */
  constructor(conn: Deno.Conn, maxQueuedBytes: number, readonly onOverflow: () => void) {
    this.#conn = conn;
    this.#maxQueuedBytes = maxQueuedBytes;
  }

  send(frame: Uint8Array): void {
    if (this.#failed) return;
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      this.#failed = true;
      this.onOverflow();
      return;
    }
    this.#pump ??= this.#drain();
  }

  /** Resolves when everything queued so far was written (or the connection failed). */
  async idle(): Promise<void> {
    while (this.#pump) await this.#pump;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#failed) {
        const chunk = this.#queue.length === 1 ? this.#queue[0] : concatAll(this.#queue);
        this.#queue = [];
        this.#queuedBytes = 0;
        await writeAll(this.#conn, chunk);
      }
    } catch {
      // The peer went away; the session's read side sees it and closes.
      this.#failed = true;
    } finally {
      this.#pump = undefined;
    }
  }
}

function concatAll(chunks: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
