/**
 * One TCP connection to a comm node, as the device sees it: frames out (coalesced into as few
 * writes as possible), frames in (split into lines and parsed), and one `onClosed` call when it
 * ends for any reason. Reads with `conn.read()`: reading `conn.readable` to its end would close
 * the socket in both directions.
 */
import { ProtocolError } from "@fleetmon/shared/errors";
import { LineSplitter, type ServerFrame } from "@fleetmon/shared/protocol";
import { parseServerFrame } from "./server_frame.ts";

export interface LinkHandlers {
  onFrame(frame: ServerFrame): void;
  /** Called once; `error` is undefined when the peer closed cleanly or `close()` was called. */
  onClosed(error: unknown): void;
}

export interface LinkOptions {
  readBufferBytes?: number;
  maxLineBytes?: number;
}

const encoder = new TextEncoder();

export class Link {
  readonly #conn: Deno.Conn;
  readonly #handlers: LinkHandlers;
  #outgoing: string[] = [];
  #writing = false;
  #closed = false;
  #error: unknown;
  readonly done: Promise<void>;

  constructor(conn: Deno.Conn, handlers: LinkHandlers, options: LinkOptions = {}) {
    this.#conn = conn;
    this.#handlers = handlers;
    this.done = this.#readLoop(options.readBufferBytes ?? 4_096, options.maxLineBytes ?? 65_536);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Queues text (whole lines) to be written. Never throws; a failed write closes the link. */
  write(text: string): void {
    if (this.#closed) return;
    this.#outgoing.push(text);
    if (!this.#writing) this.#writeLoop();
  }

  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#error ??= error;
    try {
      this.#conn.close();
    } catch {
      // already closed by the other side
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#outgoing.length > 0 && !this.#closed) {
        const bytes = encoder.encode(this.#outgoing.join(""));
        this.#outgoing = [];
        let offset = 0;
        while (offset < bytes.length) offset += await this.#conn.write(bytes.subarray(offset));
      }
    } catch (error) {
      this.close(error);
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(readBufferBytes: number, maxLineBytes: number): Promise<void> {
    const buffer = new Uint8Array(readBufferBytes);
    const splitter = new LineSplitter(maxLineBytes);
    try {
      while (!this.#closed) {
        const n = await this.#conn.read(buffer);
        if (n === null) break;
        for (const line of splitter.push(buffer.subarray(0, n))) {
          const frame = parseServerFrame(line);
          if (frame && !this.#closed) this.#handlers.onFrame(frame);
        }
      }
    } catch (error) {
      if (!this.#closed || error instanceof ProtocolError) this.#error ??= error;
    }
    this.close();
    this.#handlers.onClosed(this.#error);
  }
}
