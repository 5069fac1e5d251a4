import { PluginUse } from '@confide/core';
import { z } from 'zod';

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What every summary.json records about how it was made, so a report can be traced to code, config, data and plugins:
 * content hashes, not the git commit, so regenerating a report on a clean tree leaves it byte-identical.
 */
export const SummaryProvenance = z.strictObject({
  /** sha256 over every workspace package's package.json and production src/ files (tests left out), and their count. */
  sources: z.strictObject({ sha256: Sha256, files: z.number().int().nonnegative() }),
  packageVersions: z.record(z.string(), z.string()),
  /** The experiment file as named on the command line (relative to the workspace when inside it) and its content hash. */
  experimentFile: z.strictObject({ path: z.string(), sha256: Sha256 }),
  /** Every other file read (each run's manifest and records, a paper experiment drawn on), with its content hash. */
  inputs: z.array(z.strictObject({ path: z.string(), sha256: Sha256 })),
  /** The dataset as referenced, how many problems were read and the sha256 of those problems as JSON. */
  dataset: z.strictObject({ reference: z.string(), problems: z.number().int().nonnegative(), sha256: Sha256 }),
  /** The price table's id, version and the sha256 of its content as JSON. */
  priceTable: z.strictObject({ id: z.string(), version: z.string(), sha256: Sha256 }),
  /** Every plugin the report's numbers come from, with its validated options. */
  plugins: z.array(PluginUse),
});
export type SummaryProvenance = z.infer<typeof SummaryProvenance>;
