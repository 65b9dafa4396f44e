/** Server → device frames of protocol version 1, encoded as one line each. */
import { type NackCode, PROTOCOL_VERSION, type ProtocolLimits } from "./codes.ts";

export type ServerFrame =
  | { type: "welcome"; v: number; node: string; limits: ProtocolLimits }
  | { type: "ack"; seq: number; from?: number }
  | {
    type: "nack";
    code: NackCode;
    reason: string;
    seq?: number;
    retryAfterMs?: number;
    fatal?: true;
  }
  | { type: "pong"; id?: string | number }
  | { type: "reconnect"; reason: string; retryAfterMs: number };

export type NackFrame = Extract<ServerFrame, { type: "nack" }>;

const encoder = new TextEncoder();

export function encodeFrame(frame: ServerFrame | Record<string, unknown>): Uint8Array {
  return encoder.encode(JSON.stringify(frame) + "\n");
}

export function welcomeFrame(node: string, limits: ProtocolLimits): ServerFrame {
  return { type: "welcome", v: PROTOCOL_VERSION, node, limits };
}
