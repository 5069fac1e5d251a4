import { z } from 'zod';
import { PriceTable } from '../prices/price-table.js';

export const RUN_MANIFEST_SCHEMA_VERSION = 2;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 in lowercase hex');

/**
 * A user's module a plugin came from (absent for Confide's own): as it was named (a path relative to the experiment's
 * folder, or `name@version` for a package) and the sha256 of the file loaded, so a run can be rebuilt from its folder.
 */
export const PluginModule = z.strictObject({ name: z.string().min(1), sha256: Sha256 });
export type PluginModule = z.infer<typeof PluginModule>;

/** A plugin as a run or report used it: its id, kind, the options after validation, and its module when it is a user's. */
export const PluginUse = z.strictObject({
  id: z.string().min(1),
  kind: z.enum(['evaluator', 'router', 'model']),
  options: z.record(z.string(), z.unknown()),
  module: PluginModule.optional(),
});
export type PluginUse = z.infer<typeof PluginUse>;

/** Where a run came from; file paths are relative to the run folder (or absolute when they were not under it). */
export const RunSource = z.strictObject({
  kind: z.enum(['recorded', 'live', 'replay']),
  origin: z.string(),
  files: z.array(z.strictObject({ path: z.string(), sha256: Sha256 })),
});
export type RunSource = z.infer<typeof RunSource>;

/**
 * The problems a run answered (id, question, gold, slices), as the run carries them: a JSON Lines file (gzipped when
 * its name ends in `.gz`) at `path`, relative to the run folder (`problems.jsonl.gz`, or `../problems.jsonl.gz` for the
 * side runs of a live run), pinned by the sha256 of the file's bytes.
 */
export const RunProblemsFile = z.strictObject({
  path: z.string().min(1),
  sha256: Sha256,
  count: z.number().int().nonnegative(),
});
export type RunProblemsFile = z.infer<typeof RunProblemsFile>;

/** A run made to check the pipeline, not to measure anything (a tiny random model): every reader says so. */
export const PipelineCheck = z.strictObject({ reason: z.string().min(1) });
export type PipelineCheck = z.infer<typeof PipelineCheck>;

/** The price table a v1 manifest named, by id only (its content is looked up when a command needs prices). */
export const PriceTableName = z.strictObject({ id: z.string(), version: z.string() });
export type PriceTableName = z.infer<typeof PriceTableName>;

/**
 * `manifest.json` of a run directory, schema v2: enough to rebuild the run and to read it anywhere. It carries the
 * price table's content and its problems (a run-relative file pinned by hash), so a run folder copied to another
 * machine keeps working. Plugin options are stored after validation, so they hold every default that applied.
 */
export const RunManifest = z.strictObject({
  schemaVersion: z.literal(RUN_MANIFEST_SCHEMA_VERSION),
  runId: z.string().min(1),
  description: z.string(),
  /** What the dataset was called where the run was made (a bundled id, a file with its hash, an hf:// reference). */
  dataset: z.string().min(1),
  /** The problems the run answered; null when they were not at hand (the records still carry ids and golds). */
  problems: RunProblemsFile.nullable(),
  config: z.record(z.string(), z.unknown()),
  plugins: z.array(PluginUse),
  git: z.strictObject({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  packageVersions: z.record(z.string(), z.string()),
  /** The prices the run was costed with, whole. A manifest read from v1 may hold only the name (see `PriceTableName`). */
  priceTable: z.union([PriceTable, PriceTableName]),
  source: RunSource.optional(),
  pipelineCheck: PipelineCheck.nullable().default(null),
  records: z.number().int().nonnegative(),
});
export type RunManifest = z.infer<typeof RunManifest>;

/** Schema v1 of `manifest.json`: the price table by id only, the dataset as a label, no problems. Still read. */
export const RunManifestV1 = z.strictObject({
  schemaVersion: z.literal(1),
  runId: z.string().min(1),
  description: z.string(),
  dataset: z.string().min(1),
  config: z.record(z.string(), z.unknown()),
  plugins: z.array(PluginUse),
  git: z.strictObject({ commit: z.string().nullable(), dirty: z.boolean().nullable() }),
  packageVersions: z.record(z.string(), z.string()),
  priceTable: PriceTableName,
  source: RunSource.optional(),
  records: z.number().int().nonnegative(),
});
export type RunManifestV1 = z.infer<typeof RunManifestV1>;

/** Whether a manifest's price table is held whole (v2) or only named (read from v1). */
export function holdsPriceTable(priceTable: RunManifest['priceTable']): priceTable is PriceTable {
  return 'models' in priceTable;
}
