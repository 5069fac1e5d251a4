/**
 * Typed errors with a stable `code`. Every error Confide raises on purpose is a ConfideError, so the CLI can print
 * it as one clear line and callers can branch on `code` without matching message text.
 */
const marker = Symbol.for('confide.error');

export type ConfideErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'DUPLICATE_PLUGIN'
  | 'UNKNOWN_PLUGIN'
  | 'NOT_FOUND'
  | 'PRICE_MISSING'
  | 'ROUTING_FAILED'
  | 'SUBPROCESS_FAILED'
  | 'API_ERROR'
  | 'BUDGET_EXCEEDED'
  | 'CANCELLED'
  | 'IO_ERROR'
  | 'OUTPUT_REFUSED';

export class ConfideError extends Error {
  readonly [marker] = true;
  readonly code: ConfideErrorCode;

  constructor(code: ConfideErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfideError';
    this.code = code;
  }

  static isInstance(value: unknown): value is ConfideError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** Bad data at a boundary: names the file, the row (1-based line) and the field that is wrong. */
export class InvalidInputError extends ConfideError {
  readonly file: string | undefined;
  readonly row: number | undefined;
  readonly field: string | undefined;

  constructor(details: { file?: string; row?: number; field?: string; problem: string }) {
    const where = [
      details.file,
      details.row === undefined ? undefined : `row ${details.row}`,
      details.field === undefined ? undefined : `field "${details.field}"`,
    ]
      .filter((part) => part !== undefined)
      .join(', ');
    super('INVALID_INPUT', where ? `${where}: ${details.problem}` : details.problem);
    this.name = 'InvalidInputError';
    this.file = details.file;
    this.row = details.row;
    this.field = details.field;
  }
}

export class InvalidConfigError extends ConfideError {
  constructor(message: string) {
    super('INVALID_CONFIG', message);
    this.name = 'InvalidConfigError';
  }
}

export class NotFoundError extends ConfideError {
  constructor(message: string) {
    super('NOT_FOUND', message);
    this.name = 'NotFoundError';
  }
}

/** The first problem of a zod error as a key path and a message; an unknown key is named as the key itself. */
export function describeZodError(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }> }): {
  key: string | undefined;
  message: string;
} {
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
    return { key: [...path, issue.keys[0]!].join('.'), message: `unknown key${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}` };
  }
  return { key: path.length > 0 ? path.join('.') : undefined, message: issue.message };
}
