import { execFileSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { MathEvaluatorOptions } from './math-evaluator-options.js';
import { createMathGrader, gradePairs, MathGrader } from './math-grader.js';

/** mathjs `simplify` runs for minutes on this (numeric testing cannot decide: the root is never real). */
const PATHOLOGICAL_GOLD = '\\sqrt{-1-x^2}(x+1)(x+2)(x+3)(x+4)(x+5)(x+6)(x+7)(x+8)';
const PATHOLOGICAL_PRED = '\\sqrt{-1-x^2}(x+8)(x+7)(x+6)(x+5)(x+4)(x+3)(x+2)(x+1)';

let grader: MathGrader | undefined;
afterEach(async () => {
  await grader?.close();
  grader = undefined;
});

describe('MathGrader', () => {
  it('decides cheap comparisons in this thread and the rest in a worker', async () => {
    grader = createMathGrader();
    const fast = await grader.compare('\\frac{1}{2}', '0.5');
    const slow = await grader.compare('\\tan^2y+1', '\\sec^2y');
    expect(fast).toMatchObject({ equivalent: true, reason: 'exact-rational', path: 'fast' });
    expect(slow).toMatchObject({ equivalent: true, reason: 'numeric-identity', path: 'worker' });
    expect(grader.statistics).toMatchObject({ fast: 1, worker: 1, timeouts: 0 });
  });

  it('answers "timeout" when a comparison exceeds its budget, and replaces the worker', async () => {
    grader = createMathGrader({ timeoutMs: 400 });
    // the comparison alone would not end: the budget ends it (the test's own time limit catches a hang)
    const verdict = await grader.compare(PATHOLOGICAL_GOLD, PATHOLOGICAL_PRED);
    expect(verdict).toMatchObject({ equivalent: false, reason: 'timeout', path: 'worker' });
    // (its reported ms is not compared with the budget: the timer and the clock that measures it differ by a few
    // tenths of a millisecond, so 399.8 ms for a 400 ms budget was seen on a busy machine)
    expect(verdict.ms).toBeGreaterThan(0);
    expect(grader.statistics).toMatchObject({ timeouts: 1, workerReplacements: 1 });
    // the replacement worker takes the next comparison
    expect(await grader.compare('2\\sqrt2', '\\sqrt8')).toMatchObject({ equivalent: true, path: 'worker' });
  });

  it('keeps input order in a batch, with timeouts in between', async () => {
    // A budget the ordinary comparisons stay far under even on a busy machine (the replacement worker's start-up
    // counts against it); the pathological pair exceeds any budget.
    grader = createMathGrader({ timeoutMs: 3_000 });
    const verdicts = await gradePairs(
      [
        { gold: '5', pred: '5' },
        { gold: PATHOLOGICAL_GOLD, pred: PATHOLOGICAL_PRED },
        { gold: '\\frac{x+2}{7}', pred: '\\frac x7+\\frac27' },
        { gold: '3', pred: null },
      ],
      grader,
    );
    expect(verdicts.map((verdict) => verdict.reason)).toEqual(['normalized-string', 'timeout', 'numeric-identity', 'no-answer']);
    // the 3 s budget and two worker starts take 4–5 s on a busy machine: more than the default 5 s a test may take
  }, 20_000);

  it('answers the worker\'s comparisons with why, promptly, when its worker cannot start — and starts no other', async () => {
    let started = 0;
    const cannotLoad = () => {
      started++;
      return new Worker('throw new Error("entry module not found")', { eval: true });
    };
    grader = new MathGrader(MathEvaluatorOptions.parse({ workers: 2 }), cannotLoad);
    const [first, second] = await Promise.all([grader.compare('\\tan^2y+1', '\\sec^2y'), grader.compare('2\\sqrt2', '\\sqrt8')]);
    expect(first).toMatchObject({ equivalent: false, path: 'worker' });
    expect(first.reason).toMatch(/^worker-error: the grading worker could not start: .*entry module not found/);
    expect(second.reason).toBe(first.reason);
    // a later comparison that needs a worker is answered at once; the fast path still works
    expect((await grader.compare('x^2-1', '(x-1)(x+1)')).reason).toBe(first.reason);
    expect(await grader.compare('\\frac{1}{2}', '0.5')).toMatchObject({ equivalent: true, path: 'fast' });
    expect(started).toBeLessThanOrEqual(2);
    expect(grader.statistics.workerReplacements).toBe(0);
  });

  it('can be closed twice and refuses work afterwards', async () => {
    grader = createMathGrader();
    grader.warmUp();
    await grader.close();
    await grader.close();
    await expect(grader.compare('1', '1')).rejects.toThrow('closed');
  });
});

describe('the worker under plain Node', () => {
  it('loads with node --conditions=@confide/source --import tsx', () => {
    const script = [
      `import { createMathGrader } from ${JSON.stringify(fileURLToPath(new URL('./math-grader.ts', import.meta.url)))};`,
      'const grader = createMathGrader();',
      "const verdict = await grader.compare('\\\\tan^2y+1', '\\\\sec^2y');",
      'await grader.close();',
      'console.log(JSON.stringify(verdict));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(JSON.parse(output)).toMatchObject({ equivalent: true, reason: 'numeric-identity', path: 'worker' });
  });
});
