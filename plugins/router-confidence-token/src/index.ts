export * from './confidence-token-router.js';
