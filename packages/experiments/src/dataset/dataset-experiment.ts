import { SftDatasetConfig } from '@confide/data';
import { z } from 'zod';
import { experimentHeader } from '../experiment-header.js';

/**
 * Step 1 of the seed as an experiment of its own: a dataset build's config (which problems, which model answers,
 * how answers are graded and annotated) with a name and a title. `confide run <folder>` builds it in `<folder>/run`;
 * its graded answers are a run directory there (`run/run`).
 */
export const DatasetExperiment = SftDatasetConfig.extend({
  ...experimentHeader('dataset'),
});
export type DatasetExperiment = z.infer<typeof DatasetExperiment>;
