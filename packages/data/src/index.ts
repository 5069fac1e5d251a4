export * from './datasets/math-datasets.js';
export * from './io/atomic-write.js';
export * from './io/json-lines.js';
export * from './recorded-runs/import-all-recorded-runs.js';
export * from './recorded-runs/import-recorded-run.js';
export * from './recorded-runs/recorded-run-catalog.js';
export * from './recorded-runs/run-store.js';
export * from './workspace-paths.js';
