export * from './cross-fit.js';
export * from './features.js';
export * from './learned-router.js';
export * from './models.js';
