import { join } from 'node:path';
import { PRICE_TABLES } from '@confide/core';
import { readConfigFile } from '@confide/data';
import { z } from 'zod';

/** A published figure as printed (a string keeps its precision: "0.03" was rounded to cents). */
const PublishedNumber = z.string().regex(/^\d+(\.\d+)?$/, 'a published number as printed, e.g. "88.6" or "2.79"');

const RunId = z.string().regex(/^[a-z0-9][a-z0-9.-]*$/, 'a run id such as "qwen-1.5b"');

const GenerationSourceConfig = z.strictObject({
  /** A bundled recorded run that answers for this model. */
  run: RunId,
  /** Only the records this model answered (a delegated run holds both models' answers). */
  model: z.string().optional(),
});

const DelegationConfig = z.strictObject({
  id: RunId,
  label: z.string().min(1),
  router: z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()).default({}) }),
  small: GenerationSourceConfig,
  large: GenerationSourceConfig,
  /** A recorded run whose per-problem routes a replaying router reads. */
  recordedRoutes: RunId.optional(),
  /** A recorded delegated run the result must agree with, problem by problem. */
  checkAgainst: RunId.optional(),
  /** Shown in the charts and slices; variants used only to explain a difference can be left out. */
  chart: z.boolean().default(true),
});
export type DelegationConfig = z.infer<typeof DelegationConfig>;

const Table1Row = z.strictObject({
  label: z.string().min(1),
  /** `run:<id>` for a recorded run, `delegation:<id>` for a delegation computed by the engine. */
  source: z.string().regex(/^(run|delegation):[a-z0-9][a-z0-9.-]*$/, 'run:<id> or delegation:<id>'),
  published: z.strictObject({ accuracy: PublishedNumber, costUsd: PublishedNumber }),
});

export const PaperExperiment = z.strictObject({
  /** Which pipeline builds this experiment's report (the Nx experiments plugin reads it too). */
  kind: z.literal('paper'),
  name: z.string().regex(/^[a-z0-9-]+$/),
  title: z.string().min(1),
  dataset: z.literal('math500'),
  priceTable: z.string().refine((id) => id in PRICE_TABLES, { message: `unknown price table; known: ${Object.keys(PRICE_TABLES).join(', ')}` }),
  grades: z.literal('recorded'),
  /** Single-model recorded runs shown with their label. */
  runs: z.array(z.strictObject({ id: RunId, label: z.string().min(1), kind: z.string().min(1) })).min(1),
  delegations: z.array(DelegationConfig).min(1),
  table1: z.array(Table1Row).min(1),
  table2: z.array(RunId).min(1),
  finetuned: z.strictObject({
    run: RunId,
    published: z.strictObject({
      accuracy: PublishedNumber,
      calibration: PublishedNumber,
      tokens: z.strictObject({ confident: z.number().int(), uncertain: z.number().int(), none: z.number().int() }),
    }),
  }),
  /** Published delegation-analysis figures, by delegation id and hand-off side. */
  publishedHandOff: z.record(
    RunId,
    z.record(z.enum(['small', 'large']), z.strictObject({ correct: z.number().int(), total: z.number().int(), costUsd: PublishedNumber.optional() })),
  ),
});
export type PaperExperiment = z.infer<typeof PaperExperiment>;

export const EXPERIMENT_FILE = 'experiment.json';

/** Reads and validates `<folder>/experiment.json`; unknown keys and bad values name the file and the key. */
export function loadPaperExperiment(folder: string): PaperExperiment {
  return readConfigFile(join(folder, EXPERIMENT_FILE), PaperExperiment);
}
