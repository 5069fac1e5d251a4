/**
 * A dataset build in a process of its own, for the kill test: reads its settings from the JSON file named on the
 * command line and is killed with SIGKILL by the test once some answers are logged.
 */
import { readFileSync } from 'node:fs';
import { runDatasetBuild } from '../src/dataset/run-dataset-build.js';
import { datasetBuildOptions, type DatasetChildSettings } from './dataset-harness.js';

const settings = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as DatasetChildSettings;
const outcome = await runDatasetBuild(datasetBuildOptions(settings));
process.stdout.write(`${outcome.status}\n`);
