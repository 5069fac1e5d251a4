export * from './model-verifier.js';
