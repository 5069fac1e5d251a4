export * from './cost-ledger.js';
export * from './delegate.js';
export * from './generation-source.js';
export * from './cascade.js';
