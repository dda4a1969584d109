/**
 * Errors the user can fix. They carry an exit code and a message that names the file, position, field
 * and what is allowed; the CLI and the action print the message only, never a stack trace.
 *
 * Exit codes (documented in the README):
 *   0  pass, new-frontier, inconclusive (unless --strict), or a command that succeeded
 *   1  dominated (the gate failed), or inconclusive with --strict
 *   2  bad input or usage: config, store, .onnx model, model card, flags
 *   3  environment: an execution provider or runtime that cannot load here
 *   4  service: the GitHub API could not be reached, failed (5xx after retries) or refused the call
 */
export const EXIT = { OK: 0, GATE_FAILED: 1, BAD_INPUT: 2, ENVIRONMENT: 3, SERVICE: 4 } as const;

export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.BAD_INPUT) {
    super(message);
    this.name = 'UserError';
  }
}

/** Where in a source file a problem is; line and column are 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

/** A config problem: "file:line:col: field: message". */
export class ConfigError extends UserError {
  constructor(
    readonly detail: string,
    readonly position: SourcePosition | undefined,
    readonly field: string | undefined,
  ) {
    super(formatConfigMessage(detail, position, field), EXIT.BAD_INPUT);
    this.name = 'ConfigError';
  }
}

export function formatConfigMessage(detail: string, position?: SourcePosition, field?: string): string {
  const where = position ? `${position.file}:${position.line}:${position.col}: ` : '';
  const what = field ? `${field}: ` : '';
  return `${where}${what}${detail}`;
}

/** An execution provider or runtime piece that is missing on this machine. */
export class EnvironmentError extends UserError {
  constructor(message: string) {
    super(message, EXIT.ENVIRONMENT);
    this.name = 'EnvironmentError';
  }
}

/**
 * A call to a service the run depends on (the GitHub API) failed. The message names the call
 * ("GET contents .frontier/frontier.json@<sha>: connect ECONNREFUSED 127.0.0.1:443"); `status` keeps the
 * HTTP status (undefined when no answer came), so callers still tell a 404 or a 409 apart.
 */
export class ServiceError extends UserError {
  constructor(message: string, readonly status: number | undefined) {
    super(message, EXIT.SERVICE);
    this.name = 'ServiceError';
  }
}
