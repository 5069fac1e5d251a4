/**
 * Times the grader on long and hostile inputs (the linear-time and no-evaluation properties the tests check by
 * result only), beside a trivial comparison measured in the same run. Prints milliseconds (median of 5) and ratios.
 * Usage: node --conditions=@confide/source --import tsx plugins/evaluator-math/scripts/hostile-input-bench.ts
 */
import { areEquivalent } from '../src/are-equivalent.js';
import { findAnswer } from '../src/find-answer.js';
import { normalizeAnswer } from '../src/normalize-answer.js';

function median(run: () => unknown): number {
  const times: number[] = [];
  for (let repeat = 0; repeat < 5; repeat++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times.sort((left, right) => left - right)[2]!;
}

const reference = median(() => areEquivalent('\\frac{1}{2}', '0.5'));
const cases: Array<[string, () => unknown]> = [
  ['extract: a box after 800k characters of reasoning', () => findAnswer(`${'reasoning with {braces} and $math$ 1 2 3. '.repeat(20_000)}\\boxed{9}`)],
  ['extract: 50k unbalanced braces', () => findAnswer(`\\boxed{${'{'.repeat(50_000)} \\boxed{4} \\`)],
  ['normalize: 100k spaces', () => normalizeAnswer(`${' '.repeat(100_000)}x`)],
  ['normalize: 50k open braces', () => normalizeAnswer('{'.repeat(50_000))],
  ['normalize: 20k \\frac', () => normalizeAnswer('\\frac'.repeat(20_000))],
  ['normalize: a 30k-element tuple', () => normalizeAnswer(`(a,${'a,'.repeat(30_000)}`)],
  ['normalize: 20k \\text{', () => normalizeAnswer('\\text{'.repeat(20_000))],
  ['equivalent: 10^{10^{10}} = 10^{10000000000}', () => areEquivalent('10^{10^{10}}', '10^{10000000000}')],
  ['equivalent: (10^{6})! vs (10^{6})!+1', () => areEquivalent('(10^{6})!', '(10^{6})!+1')],
  ['equivalent: 9^{9^{9}} = 9^{387420489}', () => areEquivalent('9^{9^{9}}', '9^{387420489}')],
];
console.log(`reference (1/2 vs 0.5): ${reference.toFixed(3)} ms`);
for (const [name, run] of cases) {
  const ms = median(run);
  console.log(`${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms  ${(ms / reference).toFixed(0).padStart(7)}x the reference`);
}
