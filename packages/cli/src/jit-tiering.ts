import { setFlagsFromString } from 'node:v8';

/**
 * How long V8 lets a function run before its optimising compiler (TurboFan) takes it: the profiler's interrupt budget,
 * in bytecode executed. V8's default (67,584) suits a page that must be fast within milliseconds; a confide command is
 * a batch run of a second or more on a machine with few cores, where the compiler's background threads are a third of
 * the CPU (measured on the bundled ablation with perf: 24 % of all samples in TurboFan) and compete with the command's
 * own threads. Four times the default optimises the same hot loops (each runs far longer than the budget) and leaves out
 * code that runs only briefly: the bundled ablation ×0.90 wall and ×0.87 CPU side by side (2 cores), `confide paper`
 * ×0.91 CPU; the same outputs, bit for bit (a tier changes speed, never results). 67,584 is the default of Node 20's V8
 * (node cannot read a V8 flag back at run time): the test checks it against the running node's `--v8-options`.
 */
export const BATCH_INTERRUPT_BUDGET = 4 * 67_584;

/**
 * Sets the interrupt budget for this process and the worker threads it starts (V8's flags are process-wide). A function
 * counts against the budget in force when it first runs, so bin/confide.js calls this before it loads the command (its
 * own bundle entry, `dist-bundle/jit-tiering.js`): called after main.js and its imports had loaded, the bundled
 * ablation took ×1.12 the time. main.ts run directly (the sources, through tsx) calls it once its imports have loaded.
 * A library that imports Confide keeps its own process's settings.
 */
export function tuneJitForBatchRun(): void {
  setFlagsFromString(`--interrupt-budget=${BATCH_INTERRUPT_BUDGET}`);
}
