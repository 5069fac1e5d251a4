export * from './confidence-token-router.js';
export * from './token-and-length-router.js';
