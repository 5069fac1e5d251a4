import { InvalidInputError } from '@confide/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { cardDataFiles, globToRegExp, readCardMetadata } from './card-data-files.js';
import { renderDatasetCard } from './dataset-card.js';
import { assignSplits } from './pull-hub-dataset.js';
import { toYaml } from './yaml-front-matter.js';

const listing = (paths: string[]) => ({
  repo: 'o/n',
  type: 'dataset' as const,
  commit: 'c'.repeat(40),
  hubUrl: 'http://hub',
  listedAt: '',
  files: paths.map((path) => ({ path, size: 1, gitOid: 'a'.repeat(40) })),
});

describe.each([
  ['data/train-*', 'data/train-00000-of-00001.parquet', true],
  ['data/train-*', 'data/train/part.parquet', false],
  ['data/**', 'data/a/b/c.parquet', true],
  ['**/*.jsonl', 'test.jsonl', true],
  ['**/*.jsonl', 'a/b/test.jsonl', true],
  ['./test.jsonl', 'test.jsonl', true],
  ['test?.jsonl', 'test1.jsonl', true],
  ['test?.jsonl', 'test12.jsonl', false],
  ['data/test.(1).jsonl', 'data/test.(1).jsonl', true],
  ['data/test.jsonl', 'data/testXjsonl', false],
])('glob %s on %s', (glob, path, matches) => {
  it(`${matches ? 'matches' : 'does not match'}`, () => expect(globToRegExp(glob).test(path)).toBe(matches));
});

describe('card data files', () => {
  const card = [
    '---',
    'license: mit',
    'configs:',
    '- config_name: default',
    '  data_files:',
    '  - split: train',
    '    path: data/train-*',
    '  - split: heldout',
    '    path:',
    '    - data/heldout-*',
    '- config_name: raw',
    '  data_files: raw/*.jsonl',
    '---',
    '# n',
  ].join('\n');

  it('reads the default config, and another by name', () => {
    expect(cardDataFiles(card)).toEqual([
      { split: 'train', patterns: ['data/train-*'] },
      { split: 'heldout', patterns: ['data/heldout-*'] },
    ]);
    expect(cardDataFiles(card, 'raw')).toEqual([{ split: 'train', patterns: ['raw/*.jsonl'] }]);
  });

  it('assigns files to the splits the card names, even where file names say otherwise', () => {
    const splits = assignSplits(listing(['README.md', 'data/heldout-00000-of-00001.parquet', 'data/train-00000-of-00001.parquet', 'raw/test.jsonl']), card);
    expect([...splits].map(([split, files]) => [split, files.map((file) => file.path)])).toEqual([
      ['train', ['data/train-00000-of-00001.parquet']],
      ['heldout', ['data/heldout-00000-of-00001.parquet']],
    ]);
  });

  it('falls back to file names without configs, preferring Parquet over JSON Lines in a split', () => {
    const splits = assignSplits(listing(['test.jsonl', 'data/test-00000-of-00001.parquet', 'train.jsonl']), '---\nlicense: mit\n---\n');
    expect([...splits].map(([split, files]) => [split, files.map((file) => file.path)])).toEqual([
      ['test', ['data/test-00000-of-00001.parquet']],
      ['train', ['train.jsonl']],
    ]);
  });

  it.each([
    ['an unknown config', card, 'nope', /o\/n\/README\.md, field "configs": has no config "nope" \(configs: default, raw\)/],
    ['YAML that does not parse', '---\nconfigs: [\n---\n', undefined, /o\/n\/README\.md: its YAML metadata does not parse/],
    ['a config without a name', '---\nconfigs:\n- data_files: a.jsonl\n---\n', undefined, /field "configs\.0\.config_name"/],
  ])('names the card and key for %s', (_name, text, config, message) => {
    expect(() => cardDataFiles(text, config, 'o/n/README.md')).toThrow(InvalidInputError);
    expect(() => cardDataFiles(text, config, 'o/n/README.md')).toThrow(message);
  });

  it('says when a split the card declares matches no file, or only files Confide cannot read', () => {
    expect(() => assignSplits(listing(['data/other.parquet']), card)).toThrow(/the card's data files for split "train" \(data\/train-\*\) match no file/);
    expect(() => assignSplits(listing(['data/train-0.csv', 'data/heldout-0.csv']), card)).toThrow(/o\/n\/data\/train-0\.csv: split "train" is stored in a format/);
  });

  it('returns no metadata for a card without a YAML block', () => {
    expect(readCardMetadata('# just a title\n')).toBeUndefined();
    expect(cardDataFiles('# just a title\n')).toBeUndefined();
  });
});

describe('YAML written by Confide parses back to the same values', () => {
  it('round-trips awkward strings and nesting', () => {
    const value = {
      a: 'plain',
      b: 'needs: quoting',
      c: '"quoted" and \\ backslash',
      d: 'true',
      e: '0123',
      f: ['x', 'y: z', '- dash'],
      g: { h: [{ i: 'j', k: [1, 2.5, null, false] }], l: [] },
      m: 'ünïcode — π',
      n: '',
    };
    expect(parse(toYaml(value))).toEqual(value);
  });

  it('a dataset card reads back with the data files it declares', () => {
    const card = renderDatasetCard({
      repo: 'me/x',
      columns: [{ name: 'question', type: 'STRING' }],
      splits: [{ name: 'heldout', rows: 1, bytes: 1, files: [] }],
      provenance: { builtBy: 'confide', gitCommit: null, gitDirty: null, createdAt: 'now', sources: [], command: 'confide data push "a b"' },
    });
    expect(cardDataFiles(card)).toEqual([{ split: 'heldout', patterns: ['data/heldout-*'] }]);
    expect(readCardMetadata(card)!['confide_provenance']).toEqual({
      built_by: 'confide',
      git_commit: null,
      git_dirty: null,
      created_at: 'now',
      sources: [],
      command: 'confide data push "a b"',
    });
  });
});
