import { DatasetReference, PriceTableReference } from '@confide/data';
import { z } from 'zod';

/** An experiment's name: its run id and report folder. */
export const ExperimentName = z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes, e.g. my-ablation');

/**
 * Plugin modules the experiment loads before its plugin ids are checked: paths relative to the experiment's folder
 * (`./my-router.ts`, `../lib/evaluators.js`; TypeScript or JavaScript, ES module or CommonJS, loaded as they are) or
 * package names (resolved from the experiment's folder upward, then from the command's own node_modules). `confide`'s
 * `--plugin <module>` adds to this list.
 */
export const PluginModules = z.array(z.string().min(1, 'a module path (./my-router.ts) or package name'));

/**
 * The keys every experiment file starts with: its kind (which command runs it), name, title, and the plugin modules
 * it loads (optional). Spread into each kind's schema: `z.strictObject({ ...experimentHeader('paper'), … })`.
 */
export function experimentHeader<Kind extends string>(kind: Kind) {
  return {
    /** Which command runs this experiment (the Nx experiments plugin reads it too). */
    kind: z.literal(kind),
    name: ExperimentName,
    title: z.string().min(1),
    plugins: PluginModules.optional(),
  };
}

/** The header keys of an experiment that reads problems and costs answers: where the problems come from, and the prices. */
export const PROBLEMS_AND_PRICES = {
  /** The problems: a bundled name, a file (path, or {file, columns}) relative to the experiment's folder, or hf://datasets/…. */
  dataset: DatasetReference,
  /** A bundled price table id or a price table .json file (relative to the experiment's folder). */
  priceTable: PriceTableReference,
};
