import { type HubProvenance, provenanceMarkdown, provenanceYaml } from './hub-provenance.js';
import { datasetFeatureDtype, type ParquetColumn } from './parquet-rows.js';
import { renderCard } from './yaml-front-matter.js';

export interface DatasetCardSplit {
  name: string;
  rows: number;
  bytes: number;
  files: { path: string; sha256: string; rows: number }[];
}

export interface DatasetCardOptions {
  repo: string;
  title?: string;
  description?: string;
  /** SPDX id; `mit` by default (the MATH data is MIT). */
  license?: string;
  tags?: string[];
  columns: readonly ParquetColumn[];
  splits: readonly DatasetCardSplit[];
  provenance: HubProvenance;
}

/** The hub's size bucket for a row count (`n<1K`, `1K<n<10K`, ...). */
export function sizeCategory(rows: number): string {
  const buckets: [number, string][] = [
    [1e3, 'n<1K'],
    [1e4, '1K<n<10K'],
    [1e5, '10K<n<100K'],
    [1e6, '100K<n<1M'],
    [1e7, '1M<n<10M'],
  ];
  return buckets.find(([limit]) => rows < limit)?.[1] ?? 'n>10M';
}

/**
 * The dataset card (README.md): YAML metadata the hub and `datasets` read (licence, features, splits, the
 * `configs` data files, provenance), then a description, the splits with their file hashes, and the provenance.
 */
export function renderDatasetCard(options: DatasetCardOptions): string {
  const totalRows = options.splits.reduce((sum, split) => sum + split.rows, 0);
  const metadata = {
    license: options.license ?? 'mit',
    pretty_name: options.title ?? options.repo.split('/')[1]!,
    tags: options.tags ?? ['confide', 'math', 'confidence-tokens'],
    size_categories: [sizeCategory(totalRows)],
    dataset_info: {
      features: options.columns.map((column) => ({ name: column.name, dtype: datasetFeatureDtype(column.type) })),
      splits: options.splits.map((split) => ({ name: split.name, num_bytes: split.bytes, num_examples: split.rows })),
    },
    configs: [
      {
        config_name: 'default',
        data_files: options.splits.map((split) => ({ split: split.name, path: `data/${split.name}-*` })),
      },
    ],
    confide_provenance: provenanceYaml(options.provenance),
  };
  const files = options.splits.flatMap((split) => split.files.map((file) => `| ${split.name} | \`${file.path}\` | ${file.rows} | \`${file.sha256}\` |`));
  const body = [
    `# ${options.title ?? options.repo}`,
    '',
    options.description ?? 'A dataset published with Confide, a research harness for confidence-aware task delegation.',
    '',
    '## Files',
    '',
    '| split | file | rows | sha256 |',
    '|---|---|---|---|',
    ...files,
    '',
    provenanceMarkdown(options.provenance),
  ].join('\n');
  return renderCard(metadata, body);
}
