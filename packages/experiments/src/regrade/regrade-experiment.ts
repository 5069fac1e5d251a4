import { PluginChoice, RetrySettings } from '@confide/core';
import { PriceTableReference, RunReference } from '@confide/data';
import { z } from 'zod';
import { experimentHeader } from '../experiment-header.js';
import { LentClients } from './lent-evaluator.js';

/**
 * What an evaluator grades in each record: `answer`, the answer the run extracted (the pair its recorded grader
 * graded), or `response`, the full response (the evaluator finds the answer itself).
 */
export const GradedReading = z.enum(['answer', 'response']);

/**
 * A `regrade` experiment (`confide regrade --experiment <folder>`): runs graded again by one evaluator, every
 * disagreement with the recorded grades listed (and checked against a hand review when the experiment has one).
 */
export const RegradeExperiment = z.strictObject({
  ...experimentHeader('regrade'),
  /** The report's opening paragraph (Markdown). */
  description: z.string().min(1),
  /** The runs graded again: bundled run ids or run-directory paths (relative to this file's folder). */
  runs: z.array(RunReference).min(1),
  /** The evaluator (a chain too); default core/math. */
  evaluator: PluginChoice.default({ id: 'core/math', options: {} }),
  /** Model clients lent to the evaluator by name (a verifier's judge); billed, cached and capped by `--budget`. */
  clients: LentClients.default({}),
  /** Prices for the lent clients' spend (default: the first run's price table). */
  priceTable: PriceTableReference.optional(),
  retry: RetrySettings.optional(),
  /** Records graded at once. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /**
   * What is graded: `["answer"]` or `["response"]`, compared with the recorded grades; `["answer", "response"]` also
   * grades the full responses and lists every record whose verdict that changes.
   */
  reads: z
    .array(GradedReading)
    .min(1)
    .max(2)
    .refine((reads) => reads.length === 1 || (reads[0] === 'answer' && reads[1] === 'response'), 'one reading, or ["answer", "response"]: the full responses compared with the extracted answers')
    .default(['answer']),
  /**
   * A hand review of every disagreement (a file in this folder, JSON): the report joins it, and a disagreement it does
   * not review, or an entry for one that is gone, stops the report (`--review-template` adds the missing entries).
   */
  review: z.string().min(1).optional(),
});
export type RegradeExperiment = z.infer<typeof RegradeExperiment>;
