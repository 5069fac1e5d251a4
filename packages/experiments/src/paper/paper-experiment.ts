import { PluginChoice } from '@confide/core';
import { RunReference } from '@confide/data';
import { z } from 'zod';
import { experimentHeader, PROBLEMS_AND_PRICES } from '../experiment-header.js';

/** A published figure as printed (a string keeps its precision: "0.03" was rounded to cents). */
const PublishedNumber = z.string().regex(/^\d+(\.\d+)?$/, 'a published number as printed, e.g. "88.6" or "2.79"');

/** A delegation's id (used in table sources and report rows). */
const DelegationId = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'an id such as "delegation-2"');

const GenerationSourceConfig = z.strictObject({
  /** The run that answers for this model: a bundled run id or a path to a run directory (relative to this file's folder). */
  run: RunReference,
  /** Only the records this model answered (a delegated run holds both models' answers). */
  model: z.string().optional(),
});

const DelegationConfig = z.strictObject({
  id: DelegationId,
  label: z.string().min(1),
  router: PluginChoice,
  small: GenerationSourceConfig,
  large: GenerationSourceConfig,
  /** A recorded run whose per-problem routes a replaying router reads. */
  recordedRoutes: RunReference.optional(),
  /** A recorded delegated run the result must agree with, problem by problem. */
  checkAgainst: RunReference.optional(),
  /** Shown in the charts and slices; variants used only to explain a difference can be left out. */
  chart: z.boolean().default(true),
});
export type DelegationConfig = z.infer<typeof DelegationConfig>;

const Table1Row = z.strictObject({
  label: z.string().min(1),
  /** `run:<id>` for a recorded run, `delegation:<id>` for a delegation computed by the engine. */
  source: z.string().regex(/^(run|delegation):.+$/, 'run:<run reference> or delegation:<id>'),
  /** The published figures to compare with; left out for runs of one's own (the report then shows the numbers alone). */
  published: z.strictObject({ accuracy: PublishedNumber, costUsd: PublishedNumber }).optional(),
});

export const PaperExperiment = z.strictObject({
  ...experimentHeader('paper'),
  /** The problems (an ablation that draws on this experiment uses those its small run answered), and the prices. */
  ...PROBLEMS_AND_PRICES,
  grades: z.literal('recorded'),
  /** Single-model recorded runs shown with their label. */
  runs: z.array(z.strictObject({ id: RunReference, label: z.string().min(1), kind: z.string().min(1) })).min(1),
  delegations: z.array(DelegationConfig).min(1),
  table1: z.array(Table1Row).min(1),
  table2: z.array(DelegationId).min(1),
  finetuned: z.strictObject({
    run: RunReference,
    published: z
      .strictObject({
        accuracy: PublishedNumber,
        calibration: PublishedNumber,
        tokens: z.strictObject({ confident: z.number().int(), uncertain: z.number().int(), none: z.number().int() }),
      })
      .optional(),
  }),
  /** Published delegation-analysis figures, by delegation id and hand-off side. */
  publishedHandOff: z
    .record(
      DelegationId,
      z.record(z.enum(['small', 'large']), z.strictObject({ correct: z.number().int(), total: z.number().int(), costUsd: PublishedNumber.optional() })),
    )
    .default({}),
});
export type PaperExperiment = z.infer<typeof PaperExperiment>;
