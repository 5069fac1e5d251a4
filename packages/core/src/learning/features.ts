import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN } from '../confidence-token.js';
import type { Problem } from '../schemas/problem.js';
import type { RunRecord } from '../schemas/run-record.js';
import type { TokenConfidence } from '../token-confidence.js';
import { z } from 'zod';

/**
 * Features of a problem for the routers that learn (the pair's `core/learned` plugin, the learned router over K models
 * in routing's evaluation). Which features a learned router reads. Problem features (pre-hoc): hashed word uni- and bigrams and character
 * n-grams of the question, the subject, the level and the slice (a log's task or benchmark) when the problems carry them. Answer features (post-hoc: the small
 * model's answer must exist): the confidence token, P(c) when the run has token probabilities, the output length, the
 * finish reason, the answer's form, and DeepConf's token-confidence signals when the run recorded token logprobs.
 */
export const FeatureSpec = z.strictObject({
  words: z.boolean().default(true),
  characters: z.boolean().default(true),
  /** Character n-gram length. */
  characterN: z.number().int().min(2).max(6).default(4),
  /** The subject, level and slice tokens (the name predates slices). */
  subjectAndLevel: z.boolean().default(true),
  answer: z.boolean().default(true),
  /** Hash space of the text features: 2^hashBits buckets. */
  hashBits: z.number().int().min(6).max(18).default(12),
});
export type FeatureSpec = z.infer<typeof FeatureSpec>;

/** A sparse vector: sorted indices, values; L2-normalised over the text part. */
export interface SparseVector {
  indices: number[];
  values: number[];
}

/** Dense features after the hash space, in this order. */
const DENSE = ['P(c)', 'log output length', 'has P(c)'] as const;

/**
 * DeepConf's signals of the answer (token-confidence.ts), after DENSE, where the run recorded token logprobs: each
 * confidence as log(1 + C) / 4 (C is in nats, from 0 to about 20 for k = 20), the margin as it is, and a 1 saying the
 * answer has them. They widen the vector only for runs that carry them, so the vectors (and fitted weights) of runs
 * without token logprobs are what they were.
 */
const TOKEN_CONFIDENCE_DENSE = ['token confidence: mean', 'tail', 'bottom 10 %', 'lowest group', 'token margin', 'has token confidence'] as const;
const TOKEN_CONFIDENCE_SIGNALS = ['mean', 'tail', 'bottom10', 'lowestGroup'] as const satisfies ReadonlyArray<keyof TokenConfidence>;

/** The length of the feature vectors; `tokenConfidence`: some answer carries DeepConf's signals (its run recorded logprobs). */
export function featureDimension(spec: FeatureSpec, tokenConfidence = false): number {
  return 2 ** spec.hashBits + DENSE.length + (tokenConfidence && spec.answer ? TOKEN_CONFIDENCE_DENSE.length : 0);
}

/** Whether the answers' vectors hold DeepConf's signals: the spec reads answers and one of them carries a summary. */
export function readsTokenConfidence(spec: FeatureSpec, answers: Iterable<RunRecord | undefined>): boolean {
  if (!spec.answer) return false;
  for (const answer of answers) if (answer?.generation.tokenConfidence !== undefined) return true;
  return false;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a's state after `text`, from `state` (32-bit FNV-1a of a string: `fnv(FNV_OFFSET, text) >>> 0`). */
function fnv(state: number, text: string, start = 0, end = text.length): number {
  let value = state;
  for (let index = start; index < end; index++) value = Math.imul(value ^ text.charCodeAt(index), FNV_PRIME);
  return value;
}

// the states after each token kind's prefix: a token's hash continues from its prefix without building the string
const WORD = fnv(FNV_OFFSET, 'w:');
const BIGRAM = fnv(FNV_OFFSET, 'b:');
const CHARACTERS = fnv(FNV_OFFSET, 'c:');
const SPACE = ' '.charCodeAt(0);

/** Per-bucket counts, reused across calls (a vector touches few of its buckets; they are reset after each use). */
let bucketCounts = new Int32Array(0);

/** The form of an answer: what kind of thing the model wrote (a number, a fraction, an expression…). */
export function answerForm(answer: string | null): string {
  if (answer === null || answer.trim() === '') return 'none';
  const text = answer.trim();
  if (/^-?\d+$/.test(text)) return 'integer';
  if (/^-?\d*\.\d+$/.test(text)) return 'decimal';
  if (/^-?\\[dt]?frac\{\d+\}\{\d+\}$|^-?\d+\/\d+$/.test(text)) return 'fraction';
  if (/\\sqrt|\\pi/.test(text)) return 'radical-or-pi';
  if (/[([].*,.*[)\]]/.test(text)) return 'tuple-or-interval';
  if (/,/.test(text)) return 'list';
  if (/\\text|^[A-Za-z ]+$/.test(text)) return 'text';
  return 'expression';
}

/**
 * The feature vector of a problem (and of the small model's answer to it, when the spec reads answers): hashed tokens
 * counted, log-scaled and L2-normalised, then the dense answer features.
 */
export function featureVector(spec: FeatureSpec, problem: Problem, small: RunRecord | undefined): SparseVector {
  // Each token is hashed as the string `<kind>:<token>` would be (word `w:`, bigram `b:<previous> <word>`, character
  // n-gram `c:`), continuing FNV-1a from its prefix's state instead of building the string.
  const mask = 2 ** spec.hashBits - 1;
  if (bucketCounts.length <= mask) bucketCounts = new Int32Array(mask + 1);
  const counts = bucketCounts;
  const touched: number[] = [];
  const addHash = (value: number) => {
    const bucket = (value >>> 0) & mask;
    if (counts[bucket]++ === 0) touched.push(bucket);
  };
  const add = (token: string) => addHash(fnv(FNV_OFFSET, token));
  const question = problem.problem.toLowerCase();
  if (spec.words) {
    const words = question.match(/\\[a-z]+|[a-z]+|\d+/g) ?? [];
    words.forEach((word, index) => {
      addHash(fnv(WORD, word));
      if (index > 0) addHash(fnv(Math.imul(fnv(BIGRAM, words[index - 1]!) ^ SPACE, FNV_PRIME), word));
    });
  }
  if (spec.characters) {
    const text = question.replace(/\s+/g, ' ');
    for (let index = 0; index + spec.characterN <= text.length; index++) addHash(fnv(CHARACTERS, text, index, index + spec.characterN));
  }
  if (spec.subjectAndLevel) {
    if (problem.subject) add(`subject:${problem.subject}`);
    if (problem.level !== undefined) add(`level:${problem.level}`);
    // the task or benchmark a log's problem came from (lm-eval task, RouterBench eval_name, RouterArena dataset)
    if (problem.slice) add(`slice:${problem.slice}`);
  }
  if (spec.answer && small) {
    const token = small.generation.confidenceToken;
    add(`token:${token === CONFIDENT_TOKEN ? 'c' : token === UNCERTAIN_TOKEN ? 'u' : 'none'}`);
    add(`finish:${small.generation.finishReason ?? 'none'}`);
    add(`form:${answerForm(small.generation.answer)}`);
  }
  const indices = Int32Array.from(touched).sort();
  const values = Array.from(indices, (bucket) => 1 + Math.log(counts[bucket]!));
  for (const bucket of touched) counts[bucket] = 0;
  let squares = 0;
  for (const value of values) squares += value * value;
  const norm = Math.sqrt(squares) || 1;
  const vector: SparseVector = { indices: Array.from(indices), values: values.map((value) => value / norm) };
  if (spec.answer && small) {
    const base = 2 ** spec.hashBits;
    const probabilities = small.generation.confidenceProbabilities;
    if (probabilities !== undefined) {
      const total = probabilities.confident + probabilities.uncertain;
      vector.indices.push(base, base + 2);
      vector.values.push(total === 0 ? 0 : probabilities.confident / total, 1);
    }
    vector.indices.push(base + 1);
    vector.values.push(Math.log1p(small.generation.usage.output) / 10);
    const summary = small.generation.tokenConfidence;
    if (summary !== undefined && summary.mean !== null) {
      const first = base + DENSE.length;
      TOKEN_CONFIDENCE_SIGNALS.forEach((signal, offset) => {
        vector.indices.push(first + offset);
        vector.values.push(Math.log1p(summary[signal]!) / 4);
      });
      if (summary.margin !== null) {
        vector.indices.push(first + TOKEN_CONFIDENCE_SIGNALS.length);
        vector.values.push(summary.margin);
      }
      vector.indices.push(first + TOKEN_CONFIDENCE_DENSE.length - 1);
      vector.values.push(1);
    }
    const order = vector.indices.map((_, index) => index).sort((a, b) => vector.indices[a]! - vector.indices[b]!);
    return { indices: order.map((index) => vector.indices[index]!), values: order.map((index) => vector.values[index]!) };
  }
  return vector;
}

/** The dot product with a model's weights; a feature past them (DeepConf's, for a model fitted without) adds nothing. */
export function dot(vector: SparseVector, weights: ArrayLike<number>): number {
  let sum = 0;
  for (let index = 0; index < vector.indices.length; index++) {
    const at = vector.indices[index]!;
    if (at < weights.length) sum += vector.values[index]! * weights[at]!;
  }
  return sum;
}

/** Dot product of two sparse vectors (both with sorted indices). */
export function sparseDot(left: SparseVector, right: SparseVector): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < left.indices.length && j < right.indices.length) {
    const a = left.indices[i]!;
    const b = right.indices[j]!;
    if (a === b) sum += left.values[i++]! * right.values[j++]!;
    else if (a < b) i++;
    else j++;
  }
  return sum;
}
