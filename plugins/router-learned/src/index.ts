export * from './cross-fit.js';
export * from './learned-router.js';
