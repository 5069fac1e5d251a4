import { readFileSync } from 'node:fs';
import { describeZodError, InvalidConfigError, InvalidInputError } from '@confide/core';
import type { z } from 'zod';

/** 1-based line and column of a character offset in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * Whether `text` fails to parse before its end: a prefix of valid JSON only runs out (V8 says "Unexpected end", or
 * names a position at the very end).
 */
function failsBeforeEnd(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    return position ? Number(position[1]) < text.length : !/Unexpected end of JSON input/.test(message);
  }
}

/**
 * Where and why JSON.parse rejected `text`, as `<line>:<column>` and a reason without V8's echo of the text. V8 names a
 * position for most errors; where it does not ("Unexpected token '}', …"), the shortest prefix that already fails
 * (found by bisection: once a prefix fails, every longer one does) ends at the offending character.
 */
export function describeJsonSyntaxError(text: string, error: Error): { line: number; column: number; reason: string } {
  const reason = error.message
    .replace(/ in JSON at position \d+.*$/, '')
    .replace(/, .*is not valid JSON$/s, '');
  const position = /at position (\d+)/.exec(error.message);
  let offset: number;
  if (position) offset = Number(position[1]);
  else if (!failsBeforeEnd(text)) offset = text.length;
  else {
    let low = 0;
    let high = text.length; // text.slice(0, high) fails, text.slice(0, low) does not
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (failsBeforeEnd(text.slice(0, middle))) high = middle;
      else low = middle;
    }
    offset = high - 1;
  }
  return { ...lineAndColumn(text, offset), reason };
}

function parseJson(path: string, text: string): { ok: true; value: unknown } | { ok: false; where: string; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const { line, column, reason } = describeJsonSyntaxError(text, error as Error);
    return { ok: false, where: `${path}:${line}:${column}`, reason };
  }
}

/** Reads a JSON data file and validates it; a bad file throws an InvalidInputError naming the file and the field (or the line and column). */
export function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema): z.infer<Schema> {
  const json = parseJson(path, readFileSync(path, 'utf8'));
  if (!json.ok) throw new InvalidInputError({ file: json.where, problem: `not valid JSON (${json.reason})` });
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    const { key, message } = describeZodError(parsed.error, schema);
    throw new InvalidInputError({ file: path, ...(key === undefined ? {} : { field: key }), problem: message });
  }
  return parsed.data;
}

/** The parsed JSON of a config file, before validation; invalid JSON throws an InvalidConfigError `<file>:<line>:<column>: …`. */
export function readConfigJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidConfigError(`${path}: ${(error as Error).message}`);
  }
  const json = parseJson(path, text);
  if (!json.ok) throw new InvalidConfigError(`${json.where}: not valid JSON (${json.reason})`);
  return json.value;
}

/** Reads a JSON config file strictly; a bad one throws an InvalidConfigError `<file>: key "<key>": <problem>` (with "did you mean" for a mistyped key). */
export function readConfigFile<Schema extends z.ZodType>(path: string, schema: Schema): z.infer<Schema> {
  const json = readConfigJson(path);
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const { key, message } = describeZodError(parsed.error, schema);
    throw new InvalidConfigError(`${path}: ${key === undefined ? '' : `key "${key}"${entriesOnPath(json, key)}: `}${message}${valueAt(json, key)}`);
  }
  return parsed.data;
}

/** The path's steps into a config's value (`routers.3.sweep` → the object there), or undefined where it ends. */
function stepsAlong(json: unknown, key: string): unknown[] {
  const values: unknown[] = [];
  let current = json;
  for (const step of key.split('.')) {
    if (typeof current !== 'object' || current === null) break;
    current = (current as Record<string, unknown>)[step];
    values.push(current);
  }
  return values;
}

/** The ids of the list entries a key passes through, so `routers.3.…` also reads as router entry "random". */
function entriesOnPath(json: unknown, key: string | undefined): string {
  if (key === undefined) return '';
  const steps = key.split('.');
  const ids = stepsAlong(json, key).flatMap((value, index) => {
    const isIndex = /^\d+$/.test(steps[index]!);
    const id = isIndex && typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
    return typeof id === 'string' ? [`${(steps[index - 1] ?? 'list').replace(/s$/, '')} entry "${id}"`] : [];
  });
  return ids.length > 0 ? ` (${ids.join(', ')})` : '';
}

/** The value the config holds at a wrong key, when it is short enough to show. */
function valueAt(json: unknown, key: string | undefined): string {
  if (key === undefined) return '';
  const values = stepsAlong(json, key);
  if (values.length !== key.split('.').length) return '';
  const value = values.at(-1);
  if (value === undefined || typeof value === 'object') return '';
  const shown = JSON.stringify(value);
  return shown.length <= 60 ? `; got ${shown}` : '';
}
