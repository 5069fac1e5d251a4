export * from './agreement-router.js';
