/**
 * The soak's clients: long-lived connections that talk now and then (devices) and reconnect when
 * dropped, and short ones that connect, exchange one message and close (browsers, probes).
 */
import type { HostPort } from "@fleetmon/shared/net";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LoadFigures {
  /** Exchanges that got their echo back. */
  ok: number;
  /** Exchanges that failed (a backend died under them, most of them). */
  failed: number;
  /** Connections made. */
  connects: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends `text` and reads until it has come back whole; false on EOF. */
async function exchange(conn: Deno.Conn, text: string): Promise<boolean> {
  await conn.write(encoder.encode(text));
  const buffer = new Uint8Array(text.length);
  let got = 0;
  while (got < text.length) {
    const n = await conn.read(buffer.subarray(got));
    if (n === null) return false;
    got += n;
  }
  return decoder.decode(buffer) === text;
}

/** Runs until `stopped()`: one long-lived client, an exchange every `everyMs`. */
export async function longLived(
  addr: HostPort,
  everyMs: number,
  stopped: () => boolean,
  figures: LoadFigures,
): Promise<void> {
  while (!stopped()) {
    let conn: Deno.Conn | undefined;
    try {
      conn = await Deno.connect(addr);
      figures.connects++;
      while (!stopped()) {
        if (!await exchange(conn, `ping ${figures.connects}\n`)) break;
        figures.ok++;
        await pause(everyMs * (0.5 + Math.random()));
      }
    } catch {
      figures.failed++;
      await pause(100);
    } finally {
      try {
        conn?.close();
      } catch {
        // already closed
      }
    }
  }
}

/** Runs until `stopped()`: connect, one exchange, close, again. */
export async function shortLived(
  addr: HostPort,
  stopped: () => boolean,
  figures: LoadFigures,
): Promise<void> {
  while (!stopped()) {
    try {
      using conn = await Deno.connect(addr);
      figures.connects++;
      if (await exchange(conn, "hello\n")) figures.ok++;
      else figures.failed++;
    } catch {
      figures.failed++;
      await pause(20);
    }
  }
}
