import { PluginUse } from '@confide/core';
import { z } from 'zod';

/** What every summary.json records about how it was made, so a report can be traced to code, config and plugins. */
export const SummaryProvenance = z.strictObject({
  git: z.strictObject({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  packageVersions: z.record(z.string(), z.string()),
  /** The experiment file as named on the command line (relative to the workspace when inside it) and its content hash. */
  experimentFile: z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  /** Every plugin the report's numbers come from, with its validated options. */
  plugins: z.array(PluginUse),
});
export type SummaryProvenance = z.infer<typeof SummaryProvenance>;
