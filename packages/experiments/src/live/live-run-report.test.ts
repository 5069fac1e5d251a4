import { describe, expect, it } from 'vitest';
import { liveRunReport } from './live-run-report.js';
import type { LiveRunSummary } from './live-run-summary.js';

const summary: LiveRunSummary = {
  name: 'paper-math500-live',
  title: 'Delegation II, live',
  evaluator: 'core/recorded',
  accuracy: { correct: 419, total: 500, percent: 83.8 },
  otherEvaluators: [],
  handOff: [
    { side: 'small', model: 'qwen', problems: 345, correct: 300, costUsd: 0.1 },
    { side: 'large', model: 'gemini', problems: 155, correct: 119, costUsd: 1.149972 },
  ],
  router: null,
  costUsd: { answers: 1.249972, withRouter: 1.249972, allCalls: 1.267097 },
  spentUsd: 1.267097,
  failed: [],
  expected: null,
};

describe('the live run report', () => {
  it('names what each cost counts, in the words every output uses', () => {
    const report = liveRunReport(summary);
    expect(report).toContain('- answering calls (the answers used; the paper\'s accounting): $1.249972');
    expect(report).toContain("- answering calls and the orchestrator's: $1.249972");
    expect(report).toContain('- all calls, orchestrator included (small answers delegated away included; what the budget counts): $1.267097');
    expect(report).toContain('| cost (answering calls) $ |');
  });
});
