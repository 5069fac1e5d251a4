export * from './baseline-routers.js';
export * from './stable-uniform.js';
export * from './explore-router.js';
