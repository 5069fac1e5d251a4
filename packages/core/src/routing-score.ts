import { z } from 'zod';
import { InvalidConfigError } from './errors.js';
import type { RunRecord } from './schemas/run-record.js';

/**
 * What a threshold router compares: `p-confident` = P(<|c_math|>) / (P(<|c_math|>) + P(<|u_math|>)) when the run has
 * token probabilities; `confidence-token` = 1 for <|c_math|>, 0 for <|u_math|> or none (Delegation II as a threshold);
 * or any numeric field of the record by its dotted path, e.g. `generation.usage.output` (output length).
 */
export const RoutingScore = z.union([
  z.literal('p-confident'),
  z.literal('confidence-token'),
  z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z]+)*$/, 'a dotted path to a numeric field of a run record, e.g. generation.usage.output'),
]);
export type RoutingScore = z.infer<typeof RoutingScore>;

function fieldAt(record: RunRecord, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** The score of one record; a run without the field fails naming the run, the problem and the field. */
export function routingScore(record: RunRecord, score: RoutingScore): number {
  if (score === 'confidence-token') return record.generation.confidenceToken === '<|c_math|>' ? 1 : 0;
  if (score === 'p-confident') {
    const probabilities = record.generation.confidenceProbabilities;
    if (probabilities === undefined) {
      throw new InvalidConfigError(
        `score "p-confident": run "${record.runId}" has no confidence-token probabilities (problem ${record.problemId}); ` +
          'recorded runs from the seed do not — use a field such as generation.usage.output',
      );
    }
    const total = probabilities.confident + probabilities.uncertain;
    return total === 0 ? 0 : probabilities.confident / total;
  }
  const value = fieldAt(record, score);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(`score field "${score}" is missing or not a number in run "${record.runId}" (problem ${record.problemId})`);
  }
  return value;
}

/** Which side of a threshold keeps the small answer: `keep-high` for confidences, `keep-low` for lengths. */
export const ScoreDirection = z.enum(['keep-high', 'keep-low']);
export type ScoreDirection = z.infer<typeof ScoreDirection>;

/**
 * A score (or threshold) on the keep-high scale: `keep-low` values are negated. The threshold rule is then one rule,
 * written here once: keep when the oriented score is at or above the oriented threshold, delegate when below it.
 * Sweeps, risk control and score calibration work on oriented scores.
 */
export function orientedScore(value: number, direction: ScoreDirection): number {
  return direction === 'keep-high' ? value : -value;
}

/** Whether a score is delegated: below the threshold for `keep-high` scores, above it for `keep-low` ones. */
export function delegatesScore(score: number, options: { direction: ScoreDirection; threshold: number }): boolean {
  return orientedScore(score, options.direction) < orientedScore(options.threshold, options.direction);
}
