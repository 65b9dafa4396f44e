/**
 * The interface every data-plane engine offers (epoll/, deno/); engine_factory.ts picks one.
 */
export type EngineName = "epoll" | "deno";
export type EngineChoice = EngineName | "auto";

/** How long accepting pauses when serving a client ran out of file descriptors. */
export const HOLD_OFF_MS = 100;

export interface Engine {
  readonly engine: EngineName;
  /** The port it listens on (the real one when asked for port 0). */
  readonly port: number;
  /** Client connections accepted and not yet closed. */
  readonly active: number;
  readonly acceptErrors: number;
  /** Closes the listener; accepted connections go on. */
  stopAccepting(): Promise<void>;
  /** Stops accepting for `HOLD_OFF_MS` (the process is out of file descriptors). */
  holdOff(): void;
  /** Resolves once no accepted connection is open. */
  idle(): Promise<void>;
  /** Releases what is left, once every connection is closed. */
  close(): Promise<void>;
}
