/** The device protocol, version 1: see docs/protocol.md. */
export * from "./codes.ts";
export * from "./frames.ts";
export * from "./line_splitter.ts";
export * from "./server_frames.ts";
export * from "./json_lines.ts";
export * from "./token_bucket.ts";
