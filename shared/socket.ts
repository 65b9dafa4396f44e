/** Socket helpers every tier needs: expected network errors, closing quietly, writing fully. */

/**
 * Errors that end one connection in the ordinary course of things: the peer reset or went away,
 * or we closed the socket ourselves while a read or write was pending.
 */
export function isExpectedNetworkError(error: unknown): boolean {
  return error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.NotConnected ||
    error instanceof Deno.errors.ConnectionAborted ||
    error instanceof Deno.errors.UnexpectedEof ||
    error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.Interrupted;
}

/**
 * This process ran out of file descriptors (EMFILE, ENFILE): a local problem that says nothing
 * about a backend's health, so it is never counted against one.
 */
export function isOutOfDescriptors(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "EMFILE" || code === "ENFILE";
}

/** Closes a connection that may already be closed. */
export function closeQuietly(conn: { close(): void }): void {
  try {
    conn.close();
  } catch (error) {
    if (!(error instanceof Deno.errors.BadResource)) throw error;
  }
}

/** Writes `length` bytes of `buffer`, however many writes that takes. */
export async function writeAll(conn: Deno.Conn, buffer: Uint8Array, length = buffer.length) {
  let offset = await conn.write(length === buffer.length ? buffer : buffer.subarray(0, length));
  while (offset < length) offset += await conn.write(buffer.subarray(offset, length));
}
