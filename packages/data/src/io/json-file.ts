import { readFileSync } from 'node:fs';
import { describeZodError, InvalidConfigError, InvalidInputError } from '@confide/core';
import type { z } from 'zod';

function parseJson(path: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
}

/** Reads a JSON data file and validates it; a bad file throws an InvalidInputError naming the file and the field. */
export function readJsonFile<Schema extends z.ZodType>(path: string, schema: Schema): z.infer<Schema> {
  const json = parseJson(path);
  if (!json.ok) throw new InvalidInputError({ file: path, problem: `not valid JSON (${json.message})` });
  const parsed = schema.safeParse(json.value);
  if (!parsed.success) {
    const { key, message } = describeZodError(parsed.error);
    throw new InvalidInputError({ file: path, ...(key === undefined ? {} : { field: key }), problem: message });
  }
  return parsed.data;
}

/** The parsed JSON of a config file, before validation; unreadable or invalid JSON throws an InvalidConfigError. */
export function readConfigJson(path: string): unknown {
  const json = parseJson(path);
  if (!json.ok) throw new InvalidConfigError(`${path}: ${json.message}`);
  return json.value;
}

/** Reads a JSON config file strictly; a bad one throws an InvalidConfigError `<file>: key "<key>": <problem>`. */
export function readConfigFile<Schema extends z.ZodType>(path: string, schema: Schema): z.infer<Schema> {
  const parsed = schema.safeParse(readConfigJson(path));
  if (!parsed.success) {
    const { key, message } = describeZodError(parsed.error);
    throw new InvalidConfigError(`${path}: ${key === undefined ? '' : `key "${key}": `}${message}`);
  }
  return parsed.data;
}
