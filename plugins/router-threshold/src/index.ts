export * from './routing-score.js';
export * from './threshold-router.js';
