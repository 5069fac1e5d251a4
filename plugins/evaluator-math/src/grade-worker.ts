import { parentPort } from 'node:worker_threads';
import { areEquivalent, type ComparisonContext } from './are-equivalent.js';
import type { EquivalenceOptions } from './math-evaluator-options.js';
import { safeMath } from './safe-math.js';
import { different, type Verdict } from './verdict.js';

/** A comparison sent to the worker. */
export interface WorkerRequest {
  id: number;
  gold: string;
  pred: string;
  options: EquivalenceOptions;
  comparison: ComparisonContext;
}

export type WorkerMessage = { type: 'ready' } | { type: 'verdict'; id: number; verdict: Verdict };

/**
 * Worker thread entry: runs full comparisons (exact, numeric, symbolic) for the grader, which terminates it when a
 * comparison exceeds its time budget. Loads mathjs before it says it is ready, so budgets do not pay for start-up.
 */
if (parentPort === null) throw new Error('grade-worker must run in a worker thread');
const port = parentPort;
safeMath();
// warm the code paths once so the first real comparison is not charged for compilation
areEquivalent('\\frac{x+1}{2}', '0.5x+0.5');
port.on('message', (request: WorkerRequest) => {
  let verdict: Verdict;
  try {
    verdict = areEquivalent(request.gold, request.pred, request.options, request.comparison);
  } catch (error) {
    verdict = different(`internal-error: ${(error as Error).message}`);
  }
  port.postMessage({ type: 'verdict', id: request.id, verdict } satisfies WorkerMessage);
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
