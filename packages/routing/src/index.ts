export * from './cost-ledger.js';
export * from './delegate.js';
export * from './generation-source.js';
export * from './cascade.js';
export * from './sweep/outcome-table.js';
export * from './sweep/records-point.js';
export * from './sweep/threshold-sweep.js';
export * from './evaluation/router-statistics.js';
