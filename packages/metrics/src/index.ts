export * from './accuracy.js';
export * from './confidence-tokens.js';
export * from './cost.js';
export * from './pareto-frontier.js';
export * from './slices.js';
