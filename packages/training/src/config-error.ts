import { InvalidConfigError } from '@confide/core';
import type { z } from 'zod';

/** Parse with a schema; the first problem becomes one InvalidConfigError naming the source and the key. */
export function parseConfig<Schema extends z.ZodType>(schema: Schema, value: unknown, source: string): z.output<Schema> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const key = issue.path.length > 0 ? `, key "${issue.path.join('.')}"` : '';
  throw new InvalidConfigError(`${source}${key}: ${issue.message}`);
}
