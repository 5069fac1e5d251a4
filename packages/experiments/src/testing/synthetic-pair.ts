import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, RUN_RECORD_SCHEMA_VERSION, type Problem, type RunRecord } from '@confide/core';
import { writeRunDirectory } from '@confide/data';

/**
 * A seeded synthetic small/large pair for scale tests and benchmarks (our own data, not a published file): n problems
 * with a latent difficulty; the small model is right with probability 0.9 − 0.7·difficulty and says how sure it is
 * through a noisy P(c) and a confidence token, the large one with probability 0.97 − 0.3·difficulty; output lengths
 * grow with difficulty; responses are about `responseChars` characters. Written as an experiment folder: a CSV
 * dataset, two run folders, a price table and an ablation experiment.json with the routers a scale run exercises.
 */
export interface SyntheticPairOptions {
  folder: string;
  problems: number;
  seed?: number;
  responseChars?: number;
  /** Bootstrap resamples of the experiment (default 1,000). */
  resamples?: number;
  /** Violation splits of its risk control (default 1,000). */
  violationSplits?: number;
  /** Also the learned router (logistic regression on the problem, fitted on a seeded sample of this many). */
  learnedSample?: number;
}

const SUBJECTS = ['algebra', 'geometry', 'number theory', 'counting', 'precalculus', 'prealgebra', 'probability'];

export function writeSyntheticPair(options: SyntheticPairOptions): { experimentFolder: string } {
  const { folder, problems: n } = options;
  const random = createRandom(options.seed ?? 0);
  const chars = options.responseChars ?? 300;
  const filler = 'We work through the problem step by step, checking each quantity against the statement before going on. ';
  mkdirSync(folder, { recursive: true });
  const problems: Problem[] = [];
  const small: RunRecord[] = [];
  const large: RunRecord[] = [];
  const csv: string[] = ['id,question,answer,subject,level'];
  for (let index = 0; index < n; index++) {
    const id = `syn-${String(index).padStart(7, '0')}`;
    const difficulty = random();
    const level = 1 + Math.min(4, Math.floor(difficulty * 5));
    const subject = SUBJECTS[index % SUBJECTS.length]!;
    const answer = String(Math.floor(random() * 1000));
    const question = `Problem ${index}: a ${subject} question of level ${level}; find the value asked for.`;
    problems.push({ id, problem: question, answer, subject, level });
    csv.push(`${id},${question},${answer},${subject},${level}`);
    const smallRight = random() < 0.9 - 0.7 * difficulty;
    const largeRight = random() < 0.97 - 0.3 * difficulty;
    // P(c): informative but noisy, in [0.02, 0.98]; the token is its rounding
    const pConfident = Math.min(0.98, Math.max(0.02, (smallRight ? 0.7 : 0.35) - 0.3 * difficulty + 0.25 * (random() - 0.5)));
    const text = (filler.repeat(Math.ceil(chars / filler.length)).slice(0, chars - 20) + ` The answer is ${answer}.`).slice(0, chars);
    const record = (model: string, right: boolean, output: number, extra: Partial<RunRecord['generation']>): RunRecord => ({
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: model,
      problemId: id,
      subject,
      level,
      gold: answer,
      generation: { model, text, answer: right ? answer : String(Number(answer) + 1), confidenceToken: null, usage: { input: 60, output, thinking: 0 }, latencyMs: null, finishReason: 'stop', ...extra },
      grade: { correct: right, evaluator: 'synthetic' },
    });
    small.push(
      record('sim-small', smallRight, 100 + Math.floor(400 * difficulty + 100 * random()), {
        confidenceToken: pConfident >= 0.5 ? '<|c_math|>' : '<|u_math|>',
        confidenceProbabilities: { confident: pConfident, uncertain: Math.max(0, 0.99 - pConfident) },
      }),
    );
    large.push(record('sim-large', largeRight, 200 + Math.floor(600 * difficulty + 100 * random()), {}));
  }
  writeFileSync(join(folder, 'problems.csv'), `${csv.join('\n')}\n`);
  const priceTable = {
    id: 'synthetic',
    version: '2026-12-06',
    currency: 'USD' as const,
    source: 'made up for synthetic scale runs',
    thinkingBilledAs: 'output' as const,
    models: { 'sim-small': { inputPerMillion: 0.1, outputPerMillion: 0.1 }, 'sim-large': { inputPerMillion: 0.3, outputPerMillion: 2.5 } },
  };
  writeFileSync(join(folder, 'prices.json'), JSON.stringify(priceTable));
  const manifest = (runId: string, model: string, count: number) => ({
    schemaVersion: 2 as const,
    runId,
    description: `${model} on ${n} synthetic problems`,
    dataset: 'file:problems.csv',
    config: { synthetic: true, model },
    plugins: [],
    git: { commit: null, dirty: null },
    packageVersions: {},
    priceTable,
    records: count,
  });
  writeRunDirectory(join(folder, 'runs', 'small'), { manifest: manifest('small', 'sim-small', n), records: small, problems });
  writeRunDirectory(join(folder, 'runs', 'large'), { manifest: manifest('large', 'sim-large', n), records: large, problems });
  const threshold = (id: string, score: string, direction: string, value: number) => ({
    id,
    label: id,
    router: { id: 'core/threshold', options: { score, direction, threshold: value } },
    sweep: { option: 'threshold', values: 'distinct' },
  });
  writeFileSync(
    join(folder, 'experiment.json'),
    JSON.stringify(
      {
        kind: 'ablation',
        name: 'synthetic-scale',
        title: `A synthetic pair of ${n} problems`,
        dataset: './problems.csv',
        priceTable: './prices.json',
        small: { run: './runs/small', label: 'synthetic small' },
        large: { run: './runs/large', label: 'synthetic large' },
        routers: [
          threshold('p-confident', 'p-confident', 'keep-high', 0.5),
          threshold('output-length', 'generation.usage.output', 'keep-low', 300),
          { id: 'confidence-token', label: 'confidence token', router: { id: 'core/confidence-token', options: { delegate: ['<|u_math|>', 'none'] } } },
          ...(options.learnedSample === undefined
            ? []
            : [
                {
                  id: 'learned',
                  label: 'learned (logistic, on a sample)',
                  router: { id: 'core/learned', options: { learner: { model: 'logistic' }, features: { hashBits: 10 }, folds: 5, seed: 0, sample: options.learnedSample } },
                  sweep: { option: 'threshold', values: 'distinct' },
                },
              ]),
          { id: 'random', label: 'random', router: { id: 'core/random', options: { rate: 0.5 } }, sweep: { option: 'rate', values: [0, 0.25, 0.5, 0.75, 1] }, repeats: 5 },
          { id: 'oracle', label: 'oracle', router: { id: 'core/oracle' } },
          { id: 'always-small', label: 'always small', router: { id: 'core/always-small' } },
          { id: 'always-large', label: 'always large', router: { id: 'core/always-large' } },
        ],
        comparisons: [{ routers: ['p-confident', 'output-length'], atDelegationRate: 0.3 }],
        riskControl: [{ router: 'p-confident', maxKeptErrorRate: 0.15, delta: 0.1, grid: { from: 0, to: 1, steps: 100 }, violationSplits: options.violationSplits ?? 1000 }],
        bootstrap: { resamples: options.resamples ?? 1000, seed: 0 },
      },
      null,
      2,
    ),
  );
  return { experimentFolder: folder };
}
