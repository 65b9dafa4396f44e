/**
 * Reading what a comm node sends (docs/protocol.md, "Frames from the server"). Pure. Frames of
 * a type this client does not know are ignored, so servers can add frames later.
 */
import { ProtocolError } from "@fleetmon/shared/errors";
import type { ServerFrame } from "@fleetmon/shared/protocol";

const decoder = new TextDecoder();

/** The frame on `line`, or undefined for a frame type this client does not know. */
export function parseServerFrame(line: Uint8Array | string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(typeof line === "string" ? line : decoder.decode(line));
  } catch (error) {
    throw new ProtocolError("invalid_frame", "Cannot read server frame: invalid JSON", {
      cause: error,
    });
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new ProtocolError("invalid_frame", "Cannot read server frame: expected a JSON object");
  }
  const frame = value as Record<string, unknown>;
  switch (frame.type) {
    case "welcome":
      expect(typeof frame.node === "string", "welcome", "node");
      return frame as ServerFrame;
    case "ack":
      expect(isSeq(frame.seq), "ack", "seq");
      expect(frame.from === undefined || isSeq(frame.from), "ack", "from");
      return frame as ServerFrame;
    case "nack":
      expect(typeof frame.code === "string", "nack", "code");
      expect(frame.seq === undefined || isSeq(frame.seq), "nack", "seq");
      expect(
        frame.retryAfterMs === undefined || isDelay(frame.retryAfterMs),
        "nack",
        "retryAfterMs",
      );
      if (typeof frame.reason !== "string") frame.reason = "";
      return frame as ServerFrame;
    case "reconnect":
      expect(isDelay(frame.retryAfterMs), "reconnect", "retryAfterMs");
      return frame as ServerFrame;
    case "pong":
      return frame as ServerFrame;
    default:
      return undefined;
  }
}

function expect(ok: boolean, type: string, field: string): void {
  if (!ok) {
    throw new ProtocolError(
      "invalid_frame",
      `Cannot read server frame: ${type} has a bad ${field}`,
    );
  }
}

function isSeq(value: unknown): boolean {
  return Number.isSafeInteger(value) && (value as number) >= 1;
}

function isDelay(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}
