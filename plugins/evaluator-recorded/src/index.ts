export * from './recorded-evaluator.js';
