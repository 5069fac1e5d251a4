import { describe, expect, it } from 'vitest';
import { renderDatasetCard, sizeCategory } from './dataset-card.js';
import type { HubProvenance } from './hub-provenance.js';
import { toYaml } from './yaml-front-matter.js';

const provenance: HubProvenance = {
  builtBy: 'confide 0.1.0',
  gitCommit: '0123456789abcdef0123456789abcdef01234567',
  gitDirty: false,
  createdAt: '2025-01-02T03:04:05.000Z',
  sources: ['hf://datasets/Akirayasha/math-20@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'],
};

describe('toYaml', () => {
  it('writes nested maps and lists in the hub card style', () => {
    expect(
      toYaml({
        license: 'mit',
        tags: ['a', 'b'],
        empty: [],
        info: { features: [{ name: 'question', dtype: 'string' }], count: 3 },
        configs: [{ config_name: 'default', data_files: [{ split: 'train', path: 'data/train-*' }] }],
        skipped: undefined,
      }),
    ).toBe(
      [
        'license: mit',
        'tags:',
        '- a',
        '- b',
        'empty: []',
        'info:',
        '  features:',
        '  - name: question',
        '    dtype: string',
        '  count: 3',
        'configs:',
        '- config_name: default',
        '  data_files:',
        '  - split: train',
        '    path: data/train-*',
        '',
      ].join('\n'),
    );
  });

  it.each([
    ['true', '"true"'],
    ['null', '"null"'],
    ['1.5', '"1.5"'],
    ['n<1K', '"n<1K"'],
    ['a: b', '"a: b"'],
    ['# not a comment', '"# not a comment"'],
    ['line\nbreak', '"line\\nbreak"'],
    ['plain-word_1.2', 'plain-word_1.2'],
  ])('quotes %j where YAML would misread it', (value, written) => {
    expect(toYaml({ key: value })).toBe(`key: ${written}\n`);
  });
});

describe('dataset card', () => {
  const card = renderDatasetCard({
    repo: 'me/math-sft',
    columns: [
      { name: 'question', type: 'STRING' },
      { name: 'level', type: 'INT64' },
    ],
    splits: [
      { name: 'train', rows: 6750, bytes: 1000, files: [{ path: 'data/train-00000-of-00001.parquet', sha256: 'f'.repeat(64), rows: 6750 }] },
      { name: 'test', rows: 750, bytes: 100, files: [{ path: 'data/test-00000-of-00001.parquet', sha256: 'e'.repeat(64), rows: 750 }] },
    ],
    provenance,
  });

  it('starts with YAML metadata naming features, splits and data files', () => {
    const metadata = card.split('---\n')[1]!;
    expect(metadata).toContain('license: mit\n');
    expect(metadata).toContain('size_categories:\n- "1K<n<10K"\n');
    expect(metadata).toContain('  features:\n  - name: question\n    dtype: string\n  - name: level\n    dtype: int64\n');
    expect(metadata).toContain('  splits:\n  - name: train\n    num_bytes: 1000\n    num_examples: 6750\n');
    expect(metadata).toContain('  data_files:\n  - split: train\n    path: data/train-*\n  - split: test\n    path: data/test-*\n');
    expect(metadata).toContain('  git_commit: "0123456789abcdef0123456789abcdef01234567"\n');
  });

  it('lists every file with its hash and the provenance in the body', () => {
    expect(card).toContain(`| train | \`data/train-00000-of-00001.parquet\` | 6750 | \`${'f'.repeat(64)}\` |`);
    expect(card).toContain('- Sources: `hf://datasets/Akirayasha/math-20@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`');
    expect(card).toContain('- Workspace commit: `0123456789abcdef0123456789abcdef01234567`\n');
  });

  it.each([
    [0, 'n<1K'],
    [999, 'n<1K'],
    [1000, '1K<n<10K'],
    [6750, '1K<n<10K'],
    [100_000, '100K<n<1M'],
  ])('puts %i rows in the hub size bucket %s', (rows, bucket) => {
    expect(sizeCategory(rows)).toBe(bucket);
  });
});
