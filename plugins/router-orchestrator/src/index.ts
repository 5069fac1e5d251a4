export * from './orchestrator-router.js';
