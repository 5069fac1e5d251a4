/**
 * `@confide/core/testing`: what a plugin's test needs, so it is a few lines — a problem, a generation, a run record
 * and a small pair of runs (all valid schema-v2 values), and the plugin created as a command creates it.
 */
export * from './pair.js';
export * from './plugins.js';
export * from './records.js';
