import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, routingScore, SEED_PRICES_2025_11, type RunRecord, type TokenConfidence } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { thresholdRouter } from './threshold-router.js';

const registry = new PluginRegistry().register(thresholdRouter);
const context = { priceTable: SEED_PRICES_2025_11 };
const problem = { id: 'p', problem: 'x', answer: '1' };

function record(fields: {
  output?: number;
  probabilities?: { confident: number; uncertain: number };
  token?: '<|c_math|>' | '<|u_math|>' | null;
  tokenConfidence?: TokenConfidence;
}): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'slm',
    problemId: 'p',
    gold: '1',
    generation: {
      model: 'm',
      text: '',
      answer: '1',
      confidenceToken: fields.token ?? null,
      ...(fields.probabilities ? { confidenceProbabilities: fields.probabilities } : {}),
      ...(fields.tokenConfidence ? { tokenConfidence: fields.tokenConfidence } : {}),
      usage: { input: 10, output: fields.output ?? 100, thinking: 0 },
      latencyMs: null,
      finishReason: null,
    },
    grade: { correct: true, evaluator: 'recorded' },
  };
}

async function target(options: object, small: RunRecord) {
  return (await registry.create('router', 'core/threshold', options, context).instance.decide({ problem, models: ['small', 'large'], answers: { small } })).model;
}

describe('core/threshold', () => {
  it.each([
    // P(c) / (P(c) + P(u)) = 0.375 / 0.5 = 0.75
    [{ threshold: 0.7 }, 'small'],
    [{ threshold: 0.75 }, 'small'],
    [{ threshold: 0.8 }, 'large'],
  ])('normalises P(c) and delegates under the threshold: %j -> %s', async (options, expected) => {
    expect(await target(options, record({ probabilities: { confident: 0.375, uncertain: 0.125 } }))).toBe(expected);
  });

  it.each([
    [500, 'small'],
    [601, 'large'],
  ])('delegates long answers with keep-low on output length: %i tokens -> %s', async (output, expected) => {
    expect(await target({ score: 'generation.usage.output', direction: 'keep-low', threshold: 600 }, record({ output }))).toBe(expected);
  });

  it('reproduces Delegation II as a threshold on the confidence token', async () => {
    const options = { score: 'confidence-token', threshold: 0.5 };
    expect(await target(options, record({ token: '<|c_math|>' }))).toBe('small');
    expect(await target(options, record({ token: '<|u_math|>' }))).toBe('large');
    expect(await target(options, record({ token: null }))).toBe('large');
  });

  it('rejects a probability threshold out of range in one clear line', () => {
    expect(() => registry.create('router', 'core/threshold', { threshold: 1.5 }, context)).toThrow(
      /router plugin "core\/threshold": key "threshold": a p-confident threshold must be in \[0, 1\], got 1.5/,
    );
  });

  it('names the run, problem and field when a score is missing', () => {
    expect(() => routingScore(record({}), 'p-confident')).toThrow(/run "slm" has no confidence-token probabilities \(problem p\)/);
    expect(() => routingScore(record({}), 'generation.usage.reasoning')).toThrow(/score field "generation.usage.reasoning" is missing/);
  });
});

describe('core/threshold: P(c) needs the confidence tokens to hold enough mass', () => {
  // a tiny random model: ~3e-27 on each token; renormalised it would read P(c) = 0.6
  const tiny = record({ probabilities: { confident: 3e-27, uncertain: 2e-27 } });

  it('delegates an answer whose tokens hold less than the floor (default 0.5), at every threshold, and says why', async () => {
    for (const threshold of [0, 0.3, 1]) {
      const decision = await registry.create('router', 'core/threshold', { threshold }, context).instance.decide({ problem, models: ['small', 'large'], answers: { small: tiny } });
      expect(decision.model).toBe('large');
      expect(decision.score).toBeUndefined();
      expect(decision.reason).toMatch(/no P\(c\): the confidence tokens hold 5\.0e-27 of the probability, under the floor 0\.5/);
    }
  });

  it('scores P(c) once the mass reaches the floor, and the floor is an option', async () => {
    const light = record({ probabilities: { confident: 0.3, uncertain: 0.1 } }); // mass 0.4, P(c) 0.75
    expect(routingScore(light, 'p-confident')).toBeNull();
    expect(routingScore(light, 'p-confident', { minTokenMass: 0.4 })).toBeCloseTo(0.75);
    expect(await target({ threshold: 0.7, minTokenMass: 0.4 }, light)).toBe('small');
    expect(await target({ threshold: 0.7 }, light)).toBe('large');
  });

  it('keeps an answer whose DeepConf signal reaches the threshold, and delegates one with no tokens saying why', async () => {
    const summary = { tokens: 300, k: 20, groupWindow: 2048, tailTokens: 2048, mean: 9.5, tail: 8.25, bottom10: 6.5, lowestGroup: 6.25, margin: 0.71 };
    expect(await target({ score: 'token-confidence.bottom-10', threshold: 6.5 }, record({ tokenConfidence: summary }))).toBe('small');
    expect(await target({ score: 'token-confidence.bottom-10', threshold: 6.6 }, record({ tokenConfidence: summary }))).toBe('large');
    expect(await target({ score: 'token-confidence.tail', threshold: 8.5 }, record({ tokenConfidence: summary }))).toBe('large');
    expect(await target({ score: 'token-margin', threshold: 0.7 }, record({ tokenConfidence: summary }))).toBe('small');
    const empty = { ...summary, tokens: 0, mean: null, tail: null, bottom10: null, lowestGroup: null, margin: null };
    const decision = await registry.create('router', 'core/threshold', { score: 'token-confidence.mean', threshold: 1 }, context).instance.decide({ problem, models: ['small', 'large'], answers: { small: record({ tokenConfidence: empty }) } });
    expect(decision).toMatchObject({ model: 'large', reason: 'no token-confidence.mean: the answer has no tokens: delegated, as a missing confidence token is' });
    expect(() => registry.create('router', 'core/threshold', { score: 'token-margin', threshold: 1.2 }, context)).toThrow(/a token-margin threshold must be in \[0, 1\], got 1.2/);
  });

  it('records the floor in the validated options', () => {
    expect(registry.create('router', 'core/threshold', { threshold: 0.5 }, context).use.options).toMatchObject({ minTokenMass: 0.5 });
  });
});

describe('core/threshold: a calibrated score', () => {
  // an isotonic calibrator on P(c): below 0.6 → 0.2, from 0.6 → 0.5, from 0.9 → 0.95
  const calibrator = {
    method: 'isotonic' as const,
    fit: {
      blocks: [
        { lower: 0.1, upper: 0.5, value: 0.2, weight: 3 },
        { lower: 0.6, upper: 0.8, value: 0.5, weight: 4 },
        { lower: 0.9, upper: 1, value: 0.95, weight: 3 },
      ],
      interpolation: 'step' as const,
    },
  };
  const withPc = (pc: number) => record({ probabilities: { confident: pc, uncertain: 1 - pc } });

  it("maps each answer's score through a policy's calibrator and compares the probability with the threshold", async () => {
    const options = { score: 'p-confident', threshold: 0.5, calibration: { method: 'isotonic', calibrator } };
    // P(c) 0.75 reads 0.5 (kept at 0.5), 0.55 reads 0.2 (delegated), 0.95 reads 0.95
    expect(await target(options, withPc(0.75))).toBe('small');
    expect(await target(options, withPc(0.55))).toBe('large');
    expect(await target({ ...options, threshold: 0.6 }, withPc(0.75))).toBe('large');
    const decision = await registry.create('router', 'core/threshold', options, context).instance.decide({ problem, models: ['small', 'large'], answers: { small: withPc(0.95) } });
    expect(decision).toMatchObject({ model: 'small', score: 0.95 });
    expect(decision.reason).toMatch(/p-confident = 0\.95, isotonic-calibrated 0\.95 >= 0\.5/);
  });

  it("reads a policy file's temperature calibrator, a temperature of +Infinity written as null (every probability 1/2)", async () => {
    const flat = { method: 'temperature' as const, fit: { temperature: Number.POSITIVE_INFINITY, input: 'probability' as const, optimum: 'no-signal' as const } };
    const options = JSON.parse(JSON.stringify({ threshold: 0.5, calibration: { method: 'temperature', input: 'probability', calibrator: flat } }));
    expect(options.calibration.calibrator.fit.temperature).toBeNull();
    const decision = await registry.create('router', 'core/threshold', options, context).instance.decide({ problem, models: ['small', 'large'], answers: { small: withPc(0.1) } });
    expect(decision).toMatchObject({ model: 'small', score: 0.5 });
    expect(await target({ ...options, threshold: 0.51 }, withPc(0.99))).toBe('large');
  });

  it('calibrates a keep-low score on its negation', async () => {
    // −length: −900 → 0.1, −300 → 0.8
    const negated = { method: 'isotonic' as const, fit: { blocks: [{ lower: -1000, upper: -500, value: 0.1, weight: 2 }, { lower: -400, upper: 0, value: 0.8, weight: 2 }], interpolation: 'step' as const } };
    const options = { score: 'generation.usage.output', direction: 'keep-low', threshold: 0.5, calibration: { method: 'isotonic', calibrator: negated } };
    expect(await target(options, record({ output: 300 }))).toBe('small');
    expect(await target(options, record({ output: 900 }))).toBe('large');
  });

  it("uses each problem's fold calibrator when an ablation hands over the cross-fitted ones", async () => {
    const low = { method: 'platt' as const, fit: { slope: 0, intercept: -2, targets: 'platt' as const, iterations: 0 } };
    const high = { method: 'platt' as const, fit: { slope: 0, intercept: 2, targets: 'platt' as const, iterations: 0 } };
    const options = { threshold: 0.5, calibration: { method: 'platt', crossFitted: { assignment: { p: 1, q: 0 }, calibrators: [low, high] } } };
    // problem p is in fold 1: σ(2) ≈ 0.88, kept
    expect(await target(options, withPc(0.3))).toBe('small');
    const router = registry.create('router', 'core/threshold', options, context).instance;
    await expect(router.decide({ problem: { ...problem, id: 'elsewhere' }, models: ['small', 'large'], answers: { small: withPc(0.3) } })).rejects.toThrow(
      /problem elsewhere is not among the problems its calibrators were cross-fitted on/,
    );
  });

  it('declares the calibration with its settings, and whether it is fitted, beside the sweepable score', () => {
    const unfitted = registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'isotonic' } }, { ...context, fitData: { problems: [], small: [] } });
    expect(unfitted.instance.capabilities.sweepableScore).toEqual({
      option: 'threshold',
      score: 'p-confident',
      direction: 'keep-high',
      calibration: { settings: { method: 'isotonic', folds: 5, seed: 0 }, fitted: false },
    });
    expect(unfitted.use.options).toMatchObject({ calibration: { method: 'isotonic', folds: 5, seed: 0 } });
    const fitted = registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'isotonic', calibrator } }, context);
    expect(fitted.instance.capabilities.sweepableScore?.calibration?.fitted).toBe(true);
  });

  it('refuses a calibration with nothing fitted and no data to fit on, saying where a calibrator comes from', () => {
    expect(() => registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'isotonic' } }, context)).toThrow(
      /calibration "isotonic" needs a fitted calibrator: use it in an ablation .* or apply the routing policy/,
    );
  });

  it('refuses temperature scaling of a probability unless the input is declared, and of a keep-low score read as a probability', () => {
    expect(() => registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'temperature' } }, context)).toThrow(
      /key "calibration\.input": temperature scaling reads a logit, and p-confident is a probability in \[0, 1\]: declare "input": "probability"/,
    );
    expect(() =>
      registry.create('router', 'core/threshold', { score: 'generation.usage.output', direction: 'keep-low', threshold: 0.5, calibration: { method: 'temperature', input: 'probability' } }, context),
    ).toThrow(/key "calibration\.input": a keep-low score is calibrated on its negation, which is no probability/);
    // declared, it is a config that can be fitted (in an ablation)
    expect(() => registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'temperature', input: 'probability' } }, { ...context, fitData: { problems: [], small: [] } })).not.toThrow();
  });

  it('refuses a calibrated threshold outside [0, 1] and a calibrator of another method', () => {
    expect(() => registry.create('router', 'core/threshold', { score: 'generation.usage.output', direction: 'keep-low', threshold: 600, calibration: { method: 'isotonic', calibrator } }, context)).toThrow(
      /key "threshold": a calibrated threshold must be in \[0, 1\], got 600/,
    );
    expect(() => registry.create('router', 'core/threshold', { threshold: 0.5, calibration: { method: 'platt', calibrator } }, context)).toThrow(/key "calibration\.calibrator\.method": is "isotonic" but method is "platt"/);
  });
});
