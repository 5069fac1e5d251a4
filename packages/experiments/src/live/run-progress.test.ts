import type { Budget } from '@confide/inference';
import { describe, expect, it } from 'vitest';
import { RunProgress } from './run-progress.js';

/** A budget whose spend the test sets: what the ledger has counted, earlier sessions of a resumed run included. */
function budget(spentUsd: number): Budget & { spentUsd: number } {
  return { spentUsd, capUsd: undefined } as unknown as Budget & { spentUsd: number };
}

function progress(total: number, spent: Budget, upperBoundUsd: number): { progress: RunProgress; lines: string[] } {
  const lines: string[] = [];
  return { progress: new RunProgress(total, spent, upperBoundUsd, (text) => void lines.push(text), false), lines };
}

describe('the progress line of a live run', () => {
  it('never estimates more to finish than what is left of the stated bound', () => {
    const spent = budget(0);
    const { progress: line } = progress(10, spent, 0.083);
    // the first problem was expensive: extrapolated, $0.05 × 9 = $0.45 — above the bound of $0.083
    spent.spentUsd = 0.05;
    line.onProblemDone(1);
    expect(line.estimateToFinishUsd()).toBeCloseTo(0.033, 10);
    expect(line.line()).toMatch(/to finish ~\$0\.0330 \(at most \$0\.0330\)/);
  });

  it('does not count the spend of earlier sessions of a resumed run as this session\'s', () => {
    // resumed with $249 recorded and a bound of $0.01 for what is left
    const spent = budget(249);
    const { progress: line } = progress(500, spent, 0.01);
    line.onProblemDone(400); // replayed from the stage logs: nothing new spent
    expect(line.estimateToFinishUsd()).toBe(0);
    spent.spentUsd = 249.002;
    line.onProblemDone(450);
    expect(line.estimateToFinishUsd()).toBeLessThanOrEqual(0.008 + 1e-12);
  });

  it('estimates zero, with zero left of the bound, on a finished run', () => {
    const spent = budget(1.267097);
    const { progress: line, lines } = progress(500, spent, 249);
    line.onProblemDone(500);
    line.finish();
    expect(line.estimateToFinishUsd()).toBe(0);
    expect(lines.at(-1)).toMatch(/spent \$1\.267097 \(all calls, orchestrator included\) · to finish ~\$0\.0000 \(at most \$0\.0000\)/);
  });
});
