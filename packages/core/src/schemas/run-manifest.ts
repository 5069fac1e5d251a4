import { z } from 'zod';

export const RUN_MANIFEST_SCHEMA_VERSION = 1;

export const PluginUse = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['evaluator', 'router', 'model']),
  options: z.record(z.string(), z.unknown()),
});
export type PluginUse = z.infer<typeof PluginUse>;

/**
 * `manifest.json` of a run directory: enough to rebuild the run. Plugin options are stored after validation, so they
 * hold every default that applied.
 */
export const RunManifest = z.strictObject({
  schemaVersion: z.literal(RUN_MANIFEST_SCHEMA_VERSION),
  runId: z.string().min(1),
  description: z.string(),
  dataset: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  plugins: z.array(PluginUse),
  git: z.strictObject({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  packageVersions: z.record(z.string(), z.string()),
  priceTable: z.strictObject({ id: z.string(), version: z.string() }),
  source: z
    .strictObject({
      kind: z.enum(['recorded', 'live', 'replay']),
      origin: z.string(),
      files: z.array(z.strictObject({ path: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
    })
    .optional(),
  records: z.number().int().nonnegative(),
});
export type RunManifest = z.infer<typeof RunManifest>;
