/** Errors shared by every tier. Caller mistakes use the built-in TypeError and RangeError. */

/** Start-up configuration is invalid; `problems` lists every one of them. */
export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`Cannot start ${service}: invalid configuration\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

/** A peer broke the wire protocol. `code` is machine-readable and goes back to the peer. */
export class ProtocolError extends Error {
  override name = "ProtocolError";
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Credentials were missing, wrong or no longer valid. */
export class AuthError extends Error {
  override name = "AuthError";
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
