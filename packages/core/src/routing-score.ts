import { z } from 'zod';
import { InvalidConfigError } from './errors.js';
import type { RunRecord } from './schemas/run-record.js';
import { isTokenConfidenceScore, TOKEN_CONFIDENCE_SCORES, type TokenConfidenceScore } from './token-confidence.js';

/**
 * What a threshold router compares: `p-confident` = P(<|c_math|>) / (P(<|c_math|>) + P(<|u_math|>)) when the run has
 * token probabilities and the two tokens hold enough of the mass (see `pConfident`); `confidence-token` = 1 for
 * <|c_math|>, 0 for <|u_math|> or none (Delegation II as a threshold); DeepConf's signals of a run that recorded token
 * logprobs (`token-confidence.mean`, `.tail`, `.bottom-10`, `.lowest-group`, and `token-margin`; token-confidence.ts);
 * or any numeric field of the record by its dotted path, e.g. `generation.usage.output` (output length).
 */
export const RoutingScore = z.union([
  z.literal('p-confident'),
  z.literal('confidence-token'),
  z.enum(Object.keys(TOKEN_CONFIDENCE_SCORES) as [TokenConfidenceScore, ...TokenConfidenceScore[]]),
  z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z]+)*$/, 'a dotted path to a numeric field of a run record, e.g. generation.usage.output'),
]);
export type RoutingScore = z.infer<typeof RoutingScore>;

/**
 * The least mass P(<|c_math|>) + P(<|u_math|>) at which P(c) is defined. Below it the model hardly meant either token
 * (a tiny random model puts ~1e-27 on both), and renormalising the two would invent a confidence.
 */
export const DEFAULT_MIN_TOKEN_MASS = 0.5;
export const MinTokenMass = z.number().min(0).max(1);

/** P(c) of one answer: the renormalised probability, or null with the reason when the token mass is under the floor. */
export type PConfident = { value: number; tokenMass: number; reason: null } | { value: null; tokenMass: number; reason: string };

/** The one rule for P(c): defined where P(c) + P(u) reaches `minTokenMass`, then P(c) / (P(c) + P(u)). */
export function pConfident(probabilities: { confident: number; uncertain: number }, minTokenMass: number = DEFAULT_MIN_TOKEN_MASS): PConfident {
  const tokenMass = probabilities.confident + probabilities.uncertain;
  if (tokenMass === 0 || tokenMass < minTokenMass) {
    return { value: null, tokenMass, reason: `no P(c): the confidence tokens hold ${tokenMass.toPrecision(2)} of the probability, under the floor ${minTokenMass}` };
  }
  return { value: probabilities.confident / tokenMass, tokenMass, reason: null };
}

/** What a routing score reads beyond the record: the floor under which P(c) is undefined. */
export interface RoutingScoreOptions {
  minTokenMass?: number;
}

/** The floor a router's validated options set for P(c) (`minTokenMass`), else the default. */
export function minTokenMassOf(options: Readonly<Record<string, unknown>>): number {
  return typeof options['minTokenMass'] === 'number' ? options['minTokenMass'] : DEFAULT_MIN_TOKEN_MASS;
}

function fieldAt(record: RunRecord, path: string): unknown {
  let value: unknown = record;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A record's score, or null with the reason it has none (the answer is then delegated at every threshold). */
export type ScoreOfRecord = { value: number; reason: null } | { value: null; reason: string };

/**
 * The score of one record, or null with the reason where the answer has none: `p-confident` under the token-mass floor
 * (delegated at every threshold, as Delegation II delegates a missing token), a DeepConf signal of an answer of no
 * tokens, `token-margin` of a run that recorded one logprob per token. A run without the score at all fails naming
 * the run, the problem and what is missing.
 */
export function scoreOfRecord(record: RunRecord, score: RoutingScore, options: RoutingScoreOptions = {}): ScoreOfRecord {
  if (score === 'confidence-token') return { value: record.generation.confidenceToken === '<|c_math|>' ? 1 : 0, reason: null };
  if (score === 'p-confident') {
    const probabilities = record.generation.confidenceProbabilities;
    if (probabilities === undefined) {
      throw new InvalidConfigError(
        `score "p-confident": run "${record.runId}" has no confidence-token probabilities (problem ${record.problemId}); ` +
          'recorded runs from the seed do not — use a field such as generation.usage.output',
      );
    }
    const { value, reason } = pConfident(probabilities, options.minTokenMass);
    return value === null ? { value, reason } : { value, reason: null };
  }
  if (isTokenConfidenceScore(score)) {
    const summary = record.generation.tokenConfidence;
    if (summary === undefined) {
      throw new InvalidConfigError(
        `score "${score}": run "${record.runId}" has no token logprobs for problem ${record.problemId} (no logprobs sidecar, ` +
          'logprobs/index.jsonl, in its run folder, or no entry for this answer) — record them with the model client option "logprobs": k',
      );
    }
    const value = summary[TOKEN_CONFIDENCE_SCORES[score]];
    if (value !== null) return { value, reason: null };
    return { value: null, reason: summary.tokens === 0 ? `no ${score}: the answer has no tokens` : `no ${score}: it needs two logprobs per token, the run recorded k = ${summary.k}` };
  }
  const value = fieldAt(record, score);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(`score field "${score}" is missing or not a number in run "${record.runId}" (problem ${record.problemId})`);
  }
  return { value, reason: null };
}

/** The score of one record, or null where the answer has none (see `scoreOfRecord`, which also says why). */
export function routingScore(record: RunRecord, score: RoutingScore, options: RoutingScoreOptions = {}): number | null {
  return scoreOfRecord(record, score, options).value;
}

/** Scores whose values are probabilities: a threshold on them lies in [0, 1]. */
export function isProbabilityScore(score: RoutingScore): boolean {
  return score === 'p-confident' || score === 'confidence-token' || score === 'token-margin';
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

/**
 * The score that stands for "no score" in a sweep's array: delegated at every finite threshold (below every keep-high
 * threshold, above every keep-low one).
 */
export function delegatedAtEveryThreshold(direction: ScoreDirection): number {
  return direction === 'keep-high' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/**
 * The thresholds of a sweep at every distinct score, as `ThresholdSweep`'s `distinct` makes them (each distinct score,
 * in the order a sweep delegates them, plus one past the end: delegate all), from the finite scores only: problems
 * with no score (±Infinity) are delegated at each of them, so none of them is a threshold.
 */
export function distinctThresholds(scores: ArrayLike<number>, direction: ScoreDirection): number[] {
  const oriented = [...new Set(Array.from(scores).filter(Number.isFinite).map((value) => orientedScore(value, direction)))].sort((left, right) => left - right);
  if (oriented.length === 0) return [orientedScore(0, direction)];
  return [...oriented, oriented.at(-1)! + 1].map((value) => orientedScore(value, direction));
}
