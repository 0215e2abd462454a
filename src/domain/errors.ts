/**
 * Errors the user can act on. Each class carries the process exit code the CLI
 * boundary turns it into; command code throws, it never calls process.exit().
 */
export const EXIT = {
  OK: 0,
  /** A bug: an unexpected error (stack shown with DEBUG=1). */
  INTERNAL: 1,
  /** Bad flags, arguments or dates on the command line. */
  USAGE: 2,
  /** Invalid or unreadable configuration, missing secret. */
  CONFIG: 3,
  /** Database unreachable, locked by another process, or schema newer than the code. */
  DATABASE: 4,
  /** Consent refused, wrong state, link timeout, wrong or missing encryption key, consent expired. */
  AUTH: 5,
  /** Provider unreachable, rate limited past retries, or malformed provider answer. */
  PROVIDER: 6,
  /** Some devices synced and others did not (sync, daemon --once). */
  PARTIAL: 7,
  /** Bad input data: an import file with invalid rows, a reading out of range. */
  INPUT: 8,
  /** Not found: unknown building, device or anomaly. */
  NOT_FOUND: 9,
  /** Conflict: the thing already exists (a meter already linked). */
  CONFLICT: 10,
  /** Interrupted by a signal. */
  INTERRUPTED: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP: ReadonlyArray<[number, string]> = [
  [EXIT.OK, 'success'],
  [EXIT.INTERNAL, 'unexpected error (a bug; run with DEBUG=1 for the stack)'],
  [EXIT.USAGE, 'bad command-line usage (unknown flag, bad date, bad value)'],
  [EXIT.CONFIG, 'invalid configuration or missing secret'],
  [EXIT.DATABASE, 'database unreachable, locked by another process, or schema too new'],
  [EXIT.AUTH, 'consent refused or expired, state mismatch, timeout, bad encryption key'],
  [EXIT.PROVIDER, 'provider error (unreachable, rate limited, malformed answer)'],
  [EXIT.PARTIAL, 'partial failure: some devices did not sync'],
  [EXIT.INPUT, 'invalid input data (import file rows, reading values)'],
  [EXIT.NOT_FOUND, 'building, device or anomaly not found'],
  [EXIT.CONFLICT, 'already exists (e.g. meter already linked)'],
  [EXIT.INTERRUPTED, 'interrupted by SIGINT/SIGTERM'],
];

/** An error the user can fix. Printed as one line, without a stack. */
export class UserError extends Error {
  readonly exitCode: number = EXIT.USAGE;
  /** Optional hint printed after the message (what to do). */
  readonly hint?: string;
  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    if (options?.hint) this.hint = options.hint;
  }
}

export class UsageError extends UserError {
  override readonly exitCode: number = EXIT.USAGE;
}
export class ConfigError extends UserError {
  override readonly exitCode: number = EXIT.CONFIG;
}
export class DatabaseError extends UserError {
  override readonly exitCode: number = EXIT.DATABASE;
}
export class AuthError extends UserError {
  override readonly exitCode: number = EXIT.AUTH;
}
export class ProviderError extends UserError {
  override readonly exitCode: number = EXIT.PROVIDER;
}
export class InputError extends UserError {
  override readonly exitCode: number = EXIT.INPUT;
}
export class NotFoundError extends UserError {
  override readonly exitCode: number = EXIT.NOT_FOUND;
}
export class ConflictError extends UserError {
  override readonly exitCode: number = EXIT.CONFLICT;
}
export class PartialFailureError extends UserError {
  override readonly exitCode: number = EXIT.PARTIAL;
}
export class InterruptedError extends UserError {
  override readonly exitCode: number = EXIT.INTERRUPTED;
}
