import { createRequire } from 'node:module';
import { InvalidInputError } from '@confide/core';
import { z } from 'zod';
import { describeZodIssue } from '../io/json-lines.js';

/** The YAML metadata at the top of a hub card (between `---` lines), or undefined when the card has none. */
export function readCardMetadata(card: string, file = 'README.md'): Record<string, unknown> | undefined {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(card);
  if (match === null) return undefined;
  // required here, when a card is read (synchronously), not by every command that imports @confide/data (~280 KB)
  const { parse } = createRequire(import.meta.url)('yaml') as typeof import('yaml');
  let value: unknown;
  try {
    value = parse(match[1]!);
  } catch (error) {
    throw new InvalidInputError({ file, problem: `its YAML metadata does not parse (${(error as Error).message.split('\n')[0]})` });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidInputError({ file, problem: 'its YAML metadata is not a mapping' });
  return value as Record<string, unknown>;
}

const Patterns = z.union([z.string(), z.array(z.string())]);
/** A card's `configs` entry. Cards carry many other keys; only these are read, the rest are left alone. */
const CardConfig = z.looseObject({
  config_name: z.string(),
  default: z.boolean().optional(),
  data_files: z.union([Patterns, z.array(z.looseObject({ split: z.string(), path: Patterns }))]).optional(),
});
const CardConfigs = z.array(CardConfig);

export interface SplitDataFiles {
  split: string;
  /** Glob patterns relative to the repository root (`*` stays within a folder, `**` crosses folders). */
  patterns: string[];
}

/**
 * The data files of a dataset as its card's `configs` declares them (the `datasets` library's convention): the
 * config named `config`, else the one marked `default`, else the one named `default`, else the first. Undefined when
 * the card declares none; then the file naming convention applies.
 */
export function cardDataFiles(card: string | undefined, config?: string, file = 'README.md'): SplitDataFiles[] | undefined {
  if (card === undefined) return undefined;
  const metadata = readCardMetadata(card, file);
  if (metadata === undefined || metadata['configs'] === undefined) {
    if (config !== undefined) throw new InvalidInputError({ file, field: 'configs', problem: `the card declares no configs, so none named "${config}"` });
    return undefined;
  }
  const parsed = CardConfigs.safeParse(metadata['configs']);
  if (!parsed.success) {
    const { field, problem } = describeZodIssue(parsed.error);
    throw new InvalidInputError({ file, field: `configs${field === undefined ? '' : `.${field}`}`, problem });
  }
  const configs = parsed.data;
  const chosen =
    config !== undefined
      ? configs.find((candidate) => candidate.config_name === config)
      : (configs.find((candidate) => candidate.default === true) ?? configs.find((candidate) => candidate.config_name === 'default') ?? configs[0]);
  if (chosen === undefined) {
    throw new InvalidInputError({
      file,
      field: 'configs',
      problem: config === undefined ? 'is empty' : `has no config "${config}" (configs: ${configs.map((candidate) => candidate.config_name).join(', ')})`,
    });
  }
  const dataFiles = chosen.data_files;
  if (dataFiles === undefined) return undefined;
  const list = (patterns: string | string[]) => (typeof patterns === 'string' ? [patterns] : patterns);
  if (typeof dataFiles === 'string' || dataFiles.every((item) => typeof item === 'string')) {
    return [{ split: 'train', patterns: list(dataFiles as string | string[]) }];
  }
  return (dataFiles as { split: string; path: string | string[] }[]).map((item) => ({ split: item.split, patterns: list(item.path) }));
}

/** A glob as a regular expression over repository paths: `**` any folders, `*` and `?` within one path segment. */
export function globToRegExp(glob: string): RegExp {
  const pattern = glob.replace(/^\.\//, '');
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const character = pattern[index]!;
    if (character === '*' && pattern[index + 1] === '*') {
      const slash = pattern[index + 2] === '/';
      source += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (character === '*') source += '[^/]*';
    else if (character === '?') source += '[^/]';
    else source += character.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
