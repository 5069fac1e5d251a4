import { assignFolds, FeatureSpec, featureDimension, featureVector, LearnerSettings, PluginRegistry, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type Problem, type RunRecord, type TokenConfidence } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { crossFit, crossFittedProbability } from './cross-fit.js';
import { learnedRouter } from './learned-router.js';

/** Problems whose small answer is right exactly when the question mentions "easy" (a signal both learners can find). */
function synthetic(n: number): { problems: Problem[]; small: RunRecord[] } {
  const problems: Problem[] = [];
  const small: RunRecord[] = [];
  for (let index = 0; index < n; index++) {
    const easy = index % 3 !== 0;
    const id = `p${String(index).padStart(3, '0')}`;
    problems.push({ id, problem: `${easy ? 'an easy sum' : 'a hard integral'} number ${index} of the set`, answer: '1', subject: index % 2 ? 'Algebra' : 'Geometry', level: (index % 5) + 1 });
    small.push({
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: 'slm',
      problemId: id,
      gold: '1',
      generation: { model: 'm', text: '', answer: easy ? '1' : '2', confidenceToken: easy ? '<|c_math|>' : '<|u_math|>', usage: { input: 10, output: easy ? 100 : 900, thinking: 0 }, latencyMs: null, finishReason: 'stop' },
      grade: { correct: easy, evaluator: 'recorded' },
    });
  }
  return { problems, small };
}

const spec = FeatureSpec.parse({ hashBits: 10 });
const examples = (data: ReturnType<typeof synthetic>) => data.problems.map((problem, index) => ({ problem, small: data.small[index]! }));

describe('cross-fitting', () => {
  it('never scores a problem with a model fitted on it (checked on every fold’s training set)', () => {
    const data = synthetic(60);
    const trainedOn = new Map<number | 'full', readonly string[]>();
    const fitted = crossFit(examples(data), spec, LearnerSettings.parse({ model: 'logistic', iterations: 50 }), 5, 7, (fold, ids) => trainedOn.set(fold, ids));
    expect(trainedOn.size).toBe(6);
    for (const problem of data.problems) {
      const fold = fitted.assignment[problem.id]!;
      expect(trainedOn.get(fold)).not.toContain(problem.id);
      expect(trainedOn.get('full')).toContain(problem.id);
    }
    // every other problem is in the training set of a fold it does not belong to
    for (let fold = 0; fold < 5; fold++) expect(trainedOn.get(fold)!.length).toBe(60 - Object.values(fitted.assignment).filter((f) => f === fold).length);
  });

  it("a problem's probability does not depend on its own label (its model never saw it)", () => {
    const data = synthetic(40);
    const learner = LearnerSettings.parse({ model: 'logistic', iterations: 80 });
    const before = crossFit(examples(data), spec, learner, 4, 1);
    const flipped = synthetic(40);
    flipped.small[5] = { ...flipped.small[5]!, grade: { ...flipped.small[5]!.grade, correct: !flipped.small[5]!.grade.correct } };
    const after = crossFit(examples(flipped), spec, learner, 4, 1);
    const problem = data.problems[5]!;
    expect(crossFittedProbability(after, spec, problem, data.small[5])).toBe(crossFittedProbability(before, spec, problem, data.small[5]));
    // the full model (for new problems) did see it
    expect(after.full).not.toEqual(before.full);
  });

  it('computes each example\'s vector once per feature spec: a second fit on the same problems and answers (another learner) shares them', () => {
    const data = synthetic(30);
    const seen: Array<readonly unknown[]> = [];
    const keep = (vectors: readonly unknown[]) => seen.push(vectors);
    crossFit(examples(data), spec, LearnerSettings.parse({ model: 'logistic', iterations: 5 }), 3, 0, undefined, keep);
    crossFit(examples(data), spec, LearnerSettings.parse({ model: 'knn', k: 3 }), 3, 0, undefined, keep);
    const otherSpec = FeatureSpec.parse({ hashBits: 8 });
    crossFit(examples(data), otherSpec, LearnerSettings.parse({ model: 'knn', k: 3 }), 3, 0, undefined, keep);
    const [first, second, other] = seen;
    expect(second!.every((vector, index) => vector === first![index])).toBe(true);
    expect(other!.some((vector, index) => vector === first![index])).toBe(false);
    expect(other).toEqual(data.problems.map((problem, index) => featureVector(otherSpec, problem, data.small[index])));
    // another answer to the same problem is another vector
    const answered: RunRecord = { ...data.small[0]!, generation: { ...data.small[0]!.generation, confidenceToken: '<|u_math|>' } };
    crossFit([{ problem: data.problems[0]!, small: answered }, ...examples(data).slice(1)], spec, LearnerSettings.parse({ model: 'knn', k: 3 }), 3, 0, undefined, keep);
    expect(seen[3]![0]).not.toBe(first![0]);
    expect(seen[3]![0]).toEqual(featureVector(spec, data.problems[0]!, answered));
  });

  it('assigns folds from the seed alone: balanced, the same for any input order, different for another seed', () => {
    const ids = Array.from({ length: 23 }, (_, index) => `q${index}`);
    const folds = assignFolds(ids, 5, 3);
    expect(assignFolds([...ids].reverse(), 5, 3)).toEqual(folds);
    expect([...assignFolds(ids, 5, 4)]).not.toEqual([...folds]);
    const sizes = [0, 1, 2, 3, 4].map((fold) => [...folds.values()].filter((value) => value === fold).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it.each([
    [{ model: 'logistic', iterations: 200 }],
    [{ model: 'knn', k: 5 }],
  ])('%j separates right from wrong answers out of sample', (settings) => {
    const data = synthetic(90);
    const fitted = crossFit(examples(data), spec, LearnerSettings.parse(settings), 5, 0);
    const probability = data.problems.map((problem, index) => crossFittedProbability(fitted, spec, problem, data.small[index]));
    const right = probability.filter((_, index) => data.small[index]!.grade.correct);
    const wrong = probability.filter((_, index) => !data.small[index]!.grade.correct);
    expect(Math.min(...right)).toBeGreaterThan(Math.max(...wrong));
  });

  it('reads the answer features only when asked (pre-hoc routers see the problem alone)', () => {
    const data = synthetic(3);
    const withAnswer = featureVector(spec, data.problems[0]!, data.small[0]);
    const without = featureVector({ ...spec, answer: false }, data.problems[0]!, data.small[0]);
    expect(withAnswer.indices.length).toBeGreaterThan(without.indices.length);
    expect(featureVector(spec, data.problems[0]!, undefined)).toEqual(featureVector({ ...spec, answer: false }, data.problems[0]!, undefined));
  });
});

describe("DeepConf's signals as features", () => {
  const summary = (mean: number): TokenConfidence => ({ tokens: 50, k: 5, groupWindow: 2048, tailTokens: 2048, mean, tail: mean + 1, bottom10: mean - 1, lowestGroup: mean - 2, margin: 0.25 });
  /** Every question and answer alike but for the answer's token confidence: right answers are confident (mean 12), wrong ones not (mean 3). */
  function deepConfData(n: number) {
    const data = synthetic(n);
    const problems = data.problems.map((problem, index) => ({ ...problem, problem: `the same question ${index % 2}`, subject: 'Algebra', level: 1 }));
    const small = data.small.map((record) => ({
      ...record,
      generation: { ...record.generation, confidenceToken: null, answer: '1', usage: { input: 10, output: 100, thinking: 0 }, tokenConfidence: summary(record.grade.correct ? 12 : 3) },
    }));
    return { problems, small };
  }

  it('adds them after the dense features, scaled, only for answers that carry them (other vectors unchanged)', () => {
    const data = synthetic(1);
    const base = 2 ** spec.hashBits;
    const plain = featureVector(spec, data.problems[0]!, data.small[0]);
    expect(plain.indices.filter((index) => index >= base)).toEqual([base + 1]); // log output length (no P(c) in this run)
    expect(featureDimension(spec)).toBe(base + 3);
    const carried = featureVector(spec, data.problems[0]!, { ...data.small[0]!, generation: { ...data.small[0]!.generation, tokenConfidence: summary(6) } });
    expect(carried.indices.filter((index) => index < base)).toEqual(plain.indices.filter((index) => index < base));
    expect(carried.indices.filter((index) => index >= base)).toEqual([base + 1, base + 3, base + 4, base + 5, base + 6, base + 7, base + 8]);
    expect(carried.values.slice(-6)).toEqual([Math.log1p(6) / 4, Math.log1p(7) / 4, Math.log1p(5) / 4, Math.log1p(4) / 4, 0.25, 1]);
    expect(featureDimension(spec, true)).toBe(base + 9);
  });

  it('learns from them: with the questions alike, the confident answers get the higher probability', () => {
    const data = deepConfData(60);
    const fitted = crossFit(examples(data), spec, LearnerSettings.parse({ model: 'logistic', iterations: 200 }), 5, 0);
    expect(fitted.full.model === 'logistic' && fitted.full.weights.length).toBe(2 ** spec.hashBits + 9);
    for (const [index, problem] of data.problems.entries()) {
      const probability = crossFittedProbability(fitted, spec, problem, data.small[index]);
      if (data.small[index]!.grade.correct) expect(probability).toBeGreaterThan(0.5);
      else expect(probability).toBeLessThan(0.5);
    }
    // a model fitted without them scores an answer that carries them by the features it knows
    const without = crossFit(examples(synthetic(30)), spec, LearnerSettings.parse({ model: 'logistic', iterations: 50 }), 3, 0);
    const problem = synthetic(30).problems[4]!;
    const answer = synthetic(30).small[4]!;
    expect(crossFittedProbability(without, spec, problem, { ...answer, generation: { ...answer.generation, tokenConfidence: summary(9) } })).toBe(crossFittedProbability(without, spec, problem, answer));
  });
});

describe('core/learned', () => {
  const registry = new PluginRegistry().register(learnedRouter);
  const data = synthetic(50);

  it('fits on the data its context lends, and says so when there is none', () => {
    expect(() => registry.create('router', 'core/learned', {}, { priceTable: SEED_PRICES_2025_11 })).toThrow(/fits on data/);
    const { instance } = registry.create('router', 'core/learned', { features: { hashBits: 10 } }, { priceTable: SEED_PRICES_2025_11, fitData: data });
    expect(instance.capabilities.ownScore?.option).toBe('threshold');
    expect(instance.capabilities).toMatchObject({ decides: 'after-first-answer', reads: ['small'] });
  });

  it('recreated from its fitted options (a policy file), it routes every problem the same way, with nothing fitted again', async () => {
    const context = { priceTable: SEED_PRICES_2025_11, fitData: data };
    const { instance } = registry.create('router', 'core/learned', { features: { hashBits: 10 }, threshold: 0.6 }, context);
    const options = JSON.parse(JSON.stringify(instance.capabilities.fittedOptions!())) as Record<string, unknown>;
    const again = registry.create('router', 'core/learned', options, { priceTable: SEED_PRICES_2025_11 }).instance;
    for (const [index, problem] of data.problems.entries()) {
      const input = { problem, models: ['small', 'large'], answers: { small: data.small[index]! } };
      expect(await again.decide(input)).toEqual(await instance.decide(input));
    }
    const decision = await again.decide({ problem: data.problems[0]!, models: ['small', 'large'], answers: { small: data.small[0]! } });
    expect(decision.reason).toMatch(/^P\(small right\) = 0\.\d{4} (<|≥) 0\.6 \(logistic, fold \d model\)$/);
    // a problem it was not fitted on goes to the full model
    const unseen = await again.decide({ problem: { ...data.problems[0]!, id: 'new' }, models: ['small', 'large'], answers: { small: data.small[0]! } });
    expect(unseen.reason).toContain('full model');
  });

  it('fits on a seeded sample when asked; the problems left out are scored by the full model, which never saw them', async () => {
    const many = synthetic(200);
    const context = { priceTable: SEED_PRICES_2025_11, fitData: many };
    const { instance } = registry.create('router', 'core/learned', { features: { hashBits: 10 }, sample: 60, seed: 3 }, context);
    const fitted = (instance.capabilities.fittedOptions!() as { fitted: { assignment: Record<string, number> } }).fitted;
    const sampled = Object.keys(fitted.assignment);
    expect(sampled).toHaveLength(60);
    // the same seed draws the same sample; another draws another
    const again = registry.create('router', 'core/learned', { features: { hashBits: 10 }, sample: 60, seed: 3 }, context).instance;
    expect(Object.keys((again.capabilities.fittedOptions!() as { fitted: { assignment: Record<string, number> } }).fitted.assignment)).toEqual(sampled);
    const other = registry.create('router', 'core/learned', { features: { hashBits: 10 }, sample: 60, seed: 4 }, context).instance;
    expect(Object.keys((other.capabilities.fittedOptions!() as { fitted: { assignment: Record<string, number> } }).fitted.assignment)).not.toEqual(sampled);
    const outside = many.problems.findIndex((problem) => !sampled.includes(problem.id));
    const decision = await instance.decide({ problem: many.problems[outside]!, models: ['small', 'large'], answers: { small: many.small[outside]! } });
    expect(decision.reason).toContain('full model');
  });

  it('prepared (an ablation), it fits in a worker thread: progress to the end, the same models as a fit on first use, and Ctrl-C stops it', async () => {
    const context = { priceTable: SEED_PRICES_2025_11, fitData: data };
    const options = { features: { hashBits: 10 }, learner: { model: 'logistic', iterations: 40 } };
    const lazy = registry.create('router', 'core/learned', options, context).instance;
    const prepared = registry.create('router', 'core/learned', options, context).instance;
    const progress: Array<{ stage: string; done: number; total: number }> = [];
    await prepared.capabilities.prepare!({ onProgress: (step) => progress.push(step) });
    // 5 folds and the full model, 40 gradient steps each; the last report is the stage done
    expect(progress.at(-1)).toEqual({ stage: expect.stringContaining('fitting core/learned (logistic, 5 folds and the full model, 50 examples)'), done: 240, total: 240 });
    // bit for bit: the worker runs the same steps on the same numbers
    expect(prepared.capabilities.fittedOptions!()).toEqual(lazy.capabilities.fittedOptions!());
    // an abort stops the worker at once
    const cancelled = registry.create('router', 'core/learned', options, context).instance;
    const controller = new AbortController();
    const fit = cancelled.capabilities.prepare!({ signal: controller.signal });
    controller.abort();
    await expect(fit).rejects.toMatchObject({ code: 'CANCELLED', message: expect.stringContaining('cancelled after 0 of 6 fits') });
  });

  it('a kNN learner prepared fits in this thread, with the same models as on first use', async () => {
    const options = { features: { hashBits: 10 }, learner: { model: 'knn', k: 5 } };
    const context = { priceTable: SEED_PRICES_2025_11, fitData: data };
    const prepared = registry.create('router', 'core/learned', options, context).instance;
    await prepared.capabilities.prepare!({});
    expect(prepared.capabilities.fittedOptions!()).toEqual(registry.create('router', 'core/learned', options, context).instance.capabilities.fittedOptions!());
  });
});
