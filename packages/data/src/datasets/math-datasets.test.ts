import { describe, expect, it } from 'vitest';
import { DATASETS, loadDataset } from './math-datasets.js';

describe('bundled MATH datasets', () => {
  it.each(DATASETS.map((info) => [info.name, info.rows] as const))('%s has %i problems with unique ids', (name, rows) => {
    const problems = loadDataset(name);
    expect(problems).toHaveLength(rows);
    expect(new Set(problems.map((problem) => problem.id)).size).toBe(rows);
  });

  it("reproduces the seed's 90/10 split of MATH train deterministically", () => {
    const train = loadDataset('math-train-sft');
    const heldout = loadDataset('math-train-heldout');
    expect(new Set([...train, ...heldout].map((problem) => problem.id)).size).toBe(7500);
    // first indices of datasets' train_test_split(test_size=0.1, seed=42) on the bundled order (see splits fixtures)
    const all = loadDataset('math-train');
    expect(heldout[0]).toBe(all[289]);
    expect(train[0]).toBe(all[6915]);
  });

  it('has every MATH-500 problem in the MATH test split with the same text', () => {
    const test = new Map(loadDataset('math-test').map((problem) => [problem.id, problem]));
    for (const problem of loadDataset('math500')) expect(test.get(problem.id)?.problem).toBe(problem.problem);
  });

  it('reads levels as numbers and leaves "Level ?" out', () => {
    const train = loadDataset('math-train');
    expect(train.filter((problem) => problem.level === undefined)).toHaveLength(2);
    expect(train.filter((problem) => problem.answer === null)).toHaveLength(2);
    expect(loadDataset('math500')[0]).toMatchObject({ id: 'test/precalculus/807.json', level: 2, subject: 'Precalculus' });
  });
});
