export * from './first-of.js';
