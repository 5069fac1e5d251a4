/**
 * Typed errors with a stable `code`. Every error Confide raises on purpose is a ConfideError, so the CLI can print
 * it as one clear line and callers can branch on `code` without matching message text.
 */
import { closestIds } from './plugins/closest-ids.js';

const marker = Symbol.for('confide.error');

export type ConfideErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_CONFIG'
  | 'DUPLICATE_PLUGIN'
  | 'UNKNOWN_PLUGIN'
  | 'INVALID_PLUGIN'
  | 'PLUGIN_LOAD_FAILED'
  | 'NOT_FOUND'
  | 'RUN_LOCKED'
  | 'RUN_EXISTS'
  | 'PRICE_MISSING'
  | 'COST_UNKNOWN'
  | 'ROUTING_FAILED'
  | 'SUBPROCESS_FAILED'
  | 'API_ERROR'
  | 'BUDGET_EXCEEDED'
  | 'CANCELLED'
  | 'IO_ERROR'
  | 'OUTPUT_REFUSED'
  | 'SHARD_NOT_FOUND'
  | 'SHARD_MISMATCH'
  | 'SHARD_UNFINISHED'
  | 'SHARD_COVERAGE';

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

interface ZodIssueLike {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
  /** An invalid_union's issues, one list per branch (paths relative to the union). */
  errors?: ReadonlyArray<ReadonlyArray<ZodIssueLike>>;
}

/**
 * A union's "Invalid input" says nothing; the branch that got furthest into the value (its first issue has the
 * longest path) says what is wrong, e.g. the item of a list that is not a number. Its issues, under the union's path.
 */
function unwrapUnion(issues: ReadonlyArray<ZodIssueLike>): ReadonlyArray<ZodIssueLike> {
  const first = issues[0];
  if (first?.code !== 'invalid_union' || !first.errors || first.errors.length === 0) return issues;
  const depth = (branch: ReadonlyArray<ZodIssueLike>) => branch[0]?.path.length ?? -1;
  const furthest = [...first.errors].sort((left, right) => depth(right) - depth(left))[0]!;
  if (depth(furthest) <= 0) return issues;
  return unwrapUnion(furthest.map((issue) => ({ ...issue, path: [...first.path, ...issue.path] })));
}

/** What describeZodError needs of a zod schema: its definition, walked to find the keys an object accepts. */
interface SchemaLike {
  _zod: { def: object };
}

/** Keys an object schema at `path` accepts: unions contribute every option's keys, wrappers are looked through. */
export function schemaKeysAt(schema: SchemaLike, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  const visit = (node: SchemaLike | undefined, rest: readonly PropertyKey[], depth: number): void => {
    if (node === undefined || depth > 64) return;
    const def = node._zod.def as Record<string, unknown>;
    const inner = (def['innerType'] ?? def['in'] ?? (typeof def['getter'] === 'function' ? (def['getter'] as () => SchemaLike)() : undefined)) as SchemaLike | undefined;
    if (inner !== undefined && def['type'] !== 'object') return visit(inner, rest, depth + 1);
    if (def['type'] === 'union') {
      for (const option of def['options'] as SchemaLike[]) visit(option, rest, depth + 1);
      return;
    }
    if (def['type'] === 'object') {
      const shape = def['shape'] as Record<string, SchemaLike>;
      if (rest.length === 0) for (const key of Object.keys(shape)) keys.add(key);
      else visit(shape[String(rest[0])], rest.slice(1), depth + 1);
      return;
    }
    if (rest.length === 0) return;
    if (def['type'] === 'array') visit(def['element'] as SchemaLike, rest.slice(1), depth + 1);
    else if (def['type'] === 'record') visit(def['valueType'] as SchemaLike, rest.slice(1), depth + 1);
  };
  visit(schema, path, 0);
  return [...keys].sort();
}

/** zod reports a required key that is absent as a wrong type whose input was undefined. */
function isMissingKey(issue: ZodIssueLike): boolean {
  return issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(' or ');
}

/**
 * The first problem of a zod error as a key path and a message. An unknown key is named as the key itself, with the
 * keys it is close to ("did you mean"): a required key that is missing beside it, or — given the schema — any key the
 * object accepts. A missing required key says so in plain words.
 */
export function describeZodError(error: { issues: ReadonlyArray<ZodIssueLike> }, schema?: SchemaLike): {
  key: string | undefined;
  message: string;
} {
  const join = (path: readonly PropertyKey[]) => path.map(String).join('.');
  error = { issues: unwrapUnion(error.issues) };
  const unknownAt = new Map<string, { path: string[]; keys: string[] }>();
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys' || !issue.keys) continue;
    const entry = unknownAt.get(join(issue.path)) ?? { path: issue.path.map(String), keys: [] };
    entry.keys.push(...issue.keys);
    unknownAt.set(join(issue.path), entry);
  }
  const missing = error.issues.filter(isMissingKey);
  // a required key that is missing next to an unknown key close to it: almost always a typo of that key
  for (const issue of missing) {
    const parent = issue.path.slice(0, -1);
    const name = String(issue.path[issue.path.length - 1]);
    const typo = unknownAt.get(join(parent))?.keys.find((key) => closestIds(key, [name], 1).length > 0);
    if (typo !== undefined) {
      return { key: join([...parent, typo]), message: `unknown key; did you mean "${name}"? (the required key "${join(issue.path)}" is missing)` };
    }
  }
  const issue = error.issues[0]!;
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
    const known = [
      ...(schema ? schemaKeysAt(schema, issue.path) : []),
      ...missing.filter((other) => join(other.path.slice(0, -1)) === join(issue.path)).map((other) => String(other.path[other.path.length - 1])),
    ].filter((key) => !issue.keys!.includes(key));
    const suggestions = closestIds(issue.keys[0]!, [...new Set(known)]);
    const hint = suggestions.length > 0 ? `; did you mean ${quoted(suggestions)}?` : known.length > 0 ? ` (known keys: ${[...new Set(known)].join(', ')})` : '';
    const others = issue.keys.length > 1 ? ` (also unknown: ${issue.keys.slice(1).join(', ')})` : '';
    return { key: [...path, issue.keys[0]!].join('.'), message: `unknown key${hint}${others}` };
  }
  if (isMissingKey(issue)) {
    const expected = /expected ([^,]+), received undefined$/.exec(issue.message)?.[1];
    return { key: path.join('.'), message: `missing: a required key${expected ? ` (expected ${expected})` : ''}` };
  }
  return { key: path.length > 0 ? path.join('.') : undefined, message: issue.message };
}
