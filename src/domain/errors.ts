/**
 * The closed set of failure codes. Each maps to one CLI exit code (and later one
 * HTTP status), so scripts can tell failures apart without parsing messages.
 */
export const ERROR_CODES = {
  INTERNAL: { exitCode: 1 },
  USAGE: { exitCode: 2 },
  INVALID_INPUT: { exitCode: 3 },
  NOT_FOUND: { exitCode: 4 },
  STORE: { exitCode: 5 },
  TARGET_MISSED: { exitCode: 6 },
  /** The request contradicts the stored state, such as reviewing a suggestion twice. */
  CONFLICT: { exitCode: 7 },
  /** A system library or service the command needs is not installed or not reachable. */
  UNAVAILABLE: { exitCode: 8 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An expected failure whose message names what failed, on which input, and what to do. */
export class WorklensError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "WorklensError";
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exitCode;
  }
}

/** Build the error for a whole input file that cannot be read as the format it claims to be. */
export function invalidInput(file: string, problem: string, hint: string, cause?: unknown): WorklensError {
  return new WorklensError("INVALID_INPUT", `${file}: ${problem}`, hint, cause === undefined ? undefined : { cause });
}
