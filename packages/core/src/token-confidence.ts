import { z } from 'zod';

/**
 * DeepConf's confidence signals of one answer from its tokens' top-k logprobs (Fu, Wang, Tian & Zhao, "Deep Think with
 * Confidence", arXiv 2508.15260, §2 "Confidence as an indicator of reasoning quality": token confidence, average trace
 * confidence, and the local measures group, bottom-10 % group, lowest group and tail confidence). Where the paper is
 * silent (an answer shorter than the window), this follows the authors' code (facebookresearch/deepconf,
 * `analysis_offline.py`): one group, the mean of the whole answer. Every signal is keep-high (higher: more confident).
 *
 * - token confidence C_i = −(1/k) Σ_{j=1..k} log P_i(j) over the k most likely tokens at position i;
 * - `mean`: the average trace confidence, the mean of C_i over the answer's N tokens;
 * - groups: the means of C_i over every window of `groupWindow` consecutive tokens (N − n + 1 of them, overlapping;
 *   one group, the whole answer, when N < n);
 * - `bottom10`: the mean of the lowest 10 % of the group confidences (at least one: ⌊0.1 · groups⌋, else 1);
 * - `lowestGroup`: the lowest group confidence;
 * - `tail`: the mean of C_i over the last `tailTokens` tokens (all of them when N is shorter);
 * - `margin` (as UCCI, arXiv 2605.18796, uses it): the mean over tokens of P_i(1) − P_i(2), the gap between the most
 *   likely token's probability and the runner-up's, exp of their logprobs; needs k ≥ 2.
 *
 * The values are computed from the stored logprobs (`quantiseTokenLogprobs`: steps of 1/1024 nat), so a summary
 * recomputed from a run's logprobs sidecar equals the one written beside it, to the last bit.
 */

/** Stored logprobs are −logprob × LOGPROB_SCALE, rounded, in unsigned 16-bit integers: steps of 1/1024 nat. */
export const LOGPROB_SCALE = 1024;
/** The largest stored value: 64 nats (a probability of e^−64 ≈ 1.6e−28; anything less likely is stored as that). */
export const LOGPROB_CAP = 65_535;
/** The share of the lowest group confidences `bottom10` averages (DeepConf's bottom 10 %). */
export const BOTTOM_GROUP_FRACTION = 0.1;
/** DeepConf's window for groups and for the tail (2048 tokens, §2). */
export const DEEPCONF_WINDOW = 2048;
/** The most alternatives per position a client records (vLLM's and OpenAI's `top_logprobs` allow 20). */
export const MAX_TOP_LOGPROBS = 20;

/** How many alternatives per position a client records: `logprobs: k` on `core/vllm`, `core/openai`, `core/transformers`. */
export const TopLogprobsCount = z.number().int().min(1).max(MAX_TOP_LOGPROBS);

/**
 * The top-k logprobs of each token of an answer, as a client returns them (most likely first at each position). It
 * travels on the generation from the client to the run's logprobs sidecar and is never written into a record.
 */
export const TokenLogprobs = z
  .strictObject({
    k: TopLogprobsCount,
    /** One row per generated token: its k most likely tokens' logprobs (natural log, ≤ 0), most likely first. */
    positions: z.array(z.array(z.number().max(0))),
  })
  .superRefine((value, context) => {
    for (const [index, row] of value.positions.entries()) {
      if (row.length !== value.k) {
        context.addIssue({ code: 'custom', path: ['positions', index], message: `${row.length} logprobs where k is ${value.k}` });
        return;
      }
      for (let at = 1; at < row.length; at++) {
        if (row[at]! > row[at - 1]!) {
          context.addIssue({ code: 'custom', path: ['positions', index], message: 'logprobs must be most likely first' });
          return;
        }
      }
    }
  });
export type TokenLogprobs = z.infer<typeof TokenLogprobs>;

/** An answer's logprobs as stored: `positions` rows of k values, row after row, each −logprob × 1024 rounded. */
export interface QuantisedLogprobs {
  k: number;
  positions: number;
  values: Uint16Array;
}

/** One logprob as stored (`LOGPROB_SCALE` steps, capped at `LOGPROB_CAP`). */
export function quantiseLogprob(logprob: number): number {
  const steps = Math.round(-logprob * LOGPROB_SCALE);
  return steps > LOGPROB_CAP ? LOGPROB_CAP : steps < 0 ? 0 : steps;
}

/** The logprob a stored value stands for. */
export function storedLogprob(value: number): number {
  return -value / LOGPROB_SCALE;
}

export function quantiseTokenLogprobs(logprobs: TokenLogprobs): QuantisedLogprobs {
  const values = new Uint16Array(logprobs.positions.length * logprobs.k);
  logprobs.positions.forEach((row, position) => row.forEach((logprob, index) => (values[position * logprobs.k + index] = quantiseLogprob(logprob))));
  return { k: logprobs.k, positions: logprobs.positions.length, values };
}

/** The windows of the local signals: `groupWindow` tokens per group, the last `tailTokens` for the tail. */
export const TokenConfidenceOptions = z.strictObject({
  groupWindow: z.number().int().min(1).default(DEEPCONF_WINDOW),
  tailTokens: z.number().int().min(1).default(DEEPCONF_WINDOW),
});
export type TokenConfidenceOptions = z.infer<typeof TokenConfidenceOptions>;

const Signal = z.number().finite().nonnegative().nullable();

/**
 * The DeepConf summary of one answer (see the top of this file), with the windows it was computed with. A signal is
 * null where it is undefined: every one for an answer of no tokens, `margin` when k = 1.
 */
export const TokenConfidence = z.strictObject({
  tokens: z.number().int().nonnegative(),
  k: TopLogprobsCount,
  groupWindow: z.number().int().min(1),
  tailTokens: z.number().int().min(1),
  mean: Signal,
  tail: Signal,
  bottom10: Signal,
  lowestGroup: Signal,
  margin: z.number().min(0).max(1).nullable(),
});
export type TokenConfidence = z.infer<typeof TokenConfidence>;

/** The summary of one answer's stored logprobs. Sums are of integers (exact), so the result does not depend on order. */
export function summariseTokenConfidence(logprobs: QuantisedLogprobs, options: Partial<TokenConfidenceOptions> = {}): TokenConfidence {
  const { groupWindow, tailTokens } = TokenConfidenceOptions.parse(options);
  const { k, positions: count, values } = logprobs;
  if (values.length !== count * k) throw new RangeError(`${values.length} stored logprobs for ${count} positions of ${k}`);
  const summary = { tokens: count, k, groupWindow, tailTokens };
  if (count === 0) return { ...summary, mean: null, tail: null, bottom10: null, lowestGroup: null, margin: null };
  // prefix[i]: the sum of every stored value of positions before i (an integer below 2^53 for any answer we can hold)
  const prefix = new Float64Array(count + 1);
  let marginSum = 0;
  for (let position = 0; position < count; position++) {
    let row = 0;
    for (let index = 0; index < k; index++) row += values[position * k + index]!;
    prefix[position + 1] = prefix[position]! + row;
    if (k >= 2) marginSum += Math.exp(storedLogprob(values[position * k]!)) - Math.exp(storedLogprob(values[position * k + 1]!));
  }
  // the mean confidence of positions [from, to): the sum of their C_i = Σ stored / (k · scale)
  const meanOf = (from: number, to: number) => (prefix[to]! - prefix[from]!) / ((to - from) * k * LOGPROB_SCALE);
  const groups = count < groupWindow ? Float64Array.of(meanOf(0, count)) : Float64Array.from({ length: count - groupWindow + 1 }, (_, start) => meanOf(start, start + groupWindow));
  groups.sort();
  const bottomCount = Math.max(1, Math.floor(groups.length * BOTTOM_GROUP_FRACTION));
  let bottomSum = 0;
  for (let index = 0; index < bottomCount; index++) bottomSum += groups[index]!;
  return {
    ...summary,
    mean: meanOf(0, count),
    tail: meanOf(Math.max(0, count - tailTokens), count),
    bottom10: bottomSum / bottomCount,
    lowestGroup: groups[0]!,
    margin: k >= 2 ? Math.min(1, Math.max(0, marginSum / count)) : null,
  };
}

/** The routing scores these summaries give, and which field each reads. */
export const TOKEN_CONFIDENCE_SCORES = {
  'token-confidence.mean': 'mean',
  'token-confidence.tail': 'tail',
  'token-confidence.bottom-10': 'bottom10',
  'token-confidence.lowest-group': 'lowestGroup',
  'token-margin': 'margin',
} as const satisfies Record<string, keyof TokenConfidence>;
export type TokenConfidenceScore = keyof typeof TOKEN_CONFIDENCE_SCORES;

export function isTokenConfidenceScore(score: string): score is TokenConfidenceScore {
  return Object.hasOwn(TOKEN_CONFIDENCE_SCORES, score);
}
