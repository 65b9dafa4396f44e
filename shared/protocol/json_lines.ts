/**
 * Reads newline-delimited JSON objects from a connection until it ends, calling `onFrame` for
 * each: the reading side of a protocol peer (devices, tests, benchmarks). Resolves at the end of
 * the stream, or when the connection was reset or closed under it.
 */
import { isExpectedNetworkError } from "../socket.ts";

export async function readJsonLines(
  conn: Deno.Conn,
  onFrame: (frame: Record<string, unknown>) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(16_384);
  let text = "";
  try {
    for (;;) {
      const n = await conn.read(buffer);
      if (n === null) return;
      text += decoder.decode(buffer.subarray(0, n), { stream: true });
      let newline;
      while ((newline = text.indexOf("\n")) !== -1) {
        onFrame(JSON.parse(text.slice(0, newline)));
        text = text.slice(newline + 1);
      }
    }
  } catch (error) {
    if (!isExpectedNetworkError(error)) throw error;
  }
}
