import { CONFIDENT_TOKEN, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import type { ModelsViewSource } from '../src/bundle/build-view-data.js';

/**
 * Three models on four problems with graded scores (correct = score ≥ 0.5), every answer 1,000 output tokens and no
 * input, so with the seed-math500 prices a call costs: small $0.0001, mid $0.0003, large $0.0025.
 *
 *   problem     p1    p2    p3    p4     mean     mean cost
 *   small       1     0.5   0     0.25   0.4375   $0.0001    P(c) .9 .6 .3 none; token c c u u
 *   mid         0.5   1     0     0.5    0.5      $0.0003    (also answers p5, which no other run does: 1 left out)
 *   large       1     1     0.5   0      0.625    $0.0025
 *
 * Keep small, escalate to large on small's P(c) (p4 has none: escalated at every threshold), thresholds .3 .6 .9 1.9:
 *   .3  escalates p4           mean score 1.5/4 = .375   accuracy .5    total cost .0004 + .0025 = .0029
 *   .6  escalates p3, p4       2/4 = .5                  .75            .0054
 *   .9  escalates p2, p3, p4   2.5/4 = .625              .75            .0079
 *   1.9 escalates every one    2.5/4 = .625              .75            .0104
 * Keep small, escalate to mid on small's token (1 c, 0 otherwise), threshold 1: escalates p3, p4, mean score 2/4 = .5,
 * total cost .0004 + 2 × .0003 = .001.
 */
export const MODELS_FIXTURE = {
  scores: { small: [1, 0.5, 0, 0.25], mid: [0.5, 1, 0, 0.5, 1], large: [1, 1, 0.5, 0] } as Record<string, number[]>,
  models: { small: 'qwen2.5-math-1.5b-instruct-lora-confidence', mid: 'qwen2.5-math-7b-instruct', large: 'gemini-2.5-flash' } as Record<string, string>,
  pConfident: [0.9, 0.6, 0.3, null] as (number | null)[],
  tokens: [CONFIDENT_TOKEN, CONFIDENT_TOKEN, UNCERTAIN_TOKEN, UNCERTAIN_TOKEN] as const,
};

/** The records of one fixture model (`small`, `mid` or `large`). */
export function fixtureRecords(name: string): RunRecord[] {
  return MODELS_FIXTURE.scores[name]!.map((score, index): RunRecord => {
    const p = name === 'small' ? MODELS_FIXTURE.pConfident[index] : undefined;
    return {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: `fixture-${name}`,
      problemId: `p${index + 1}`,
      gold: String(index + 1),
      generation: {
        model: MODELS_FIXTURE.models[name]!,
        text: `The answer is $\\boxed{${score >= 0.5 ? index + 1 : 0}}$.`,
        answer: String(score >= 0.5 ? index + 1 : 0),
        confidenceToken: name === 'small' ? MODELS_FIXTURE.tokens[index]! : null,
        // p4 of small: the tokens hold too little mass for a P(c)
        ...(p === undefined ? {} : { confidenceProbabilities: p === null ? { confident: 1e-9, uncertain: 1e-9 } : { confident: p, uncertain: 1 - p } }),
        usage: { input: 0, output: 1000, thinking: 0 },
        latencyMs: 100,
        finishReason: 'stop',
      },
      grade: { correct: score >= 0.5, score, evaluator: 'recorded' },
    };
  });
}

/** The fixture as a models source: small, mid, large, with the seed prices; problems p1…p5 (dataset order p5 first). */
export function fixtureSource(): ModelsViewSource {
  return {
    kind: 'models',
    title: 'three models',
    command: 'confide view',
    models: ['small', 'mid', 'large'].map((name) => ({ id: `fixture-${name}`, label: name, records: fixtureRecords(name) })),
    problems: ['p5', 'p4', 'p1', 'p2', 'p3'].map((id) => ({ id, problem: `What is ${id}?`, answer: id.slice(1) })),
    prices: SEED_PRICES_2025_11,
    bootstrap: { resamples: 200, seed: 0, confidence: 0.95 },
  };
}
