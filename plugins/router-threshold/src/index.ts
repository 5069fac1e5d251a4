export * from './threshold-router.js';
