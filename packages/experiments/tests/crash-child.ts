/**
 * A live run in a process of its own, for the crash test: reads its settings from the JSON file named on the command
 * line, prints "sending" once it is about to run, and is killed with SIGKILL by the test at a random moment.
 */
import { readFileSync } from 'node:fs';
import { runLiveExperiment } from '../src/live/run-live-experiment.js';
import { standInExperiment, syntheticProblems, testRegistry } from './live-harness.js';

interface CrashChildSettings {
  urls: { vllm: string; gemini: string };
  outFolder: string;
  cachePath: string;
  problems: number;
  resume: boolean;
}

const settings = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as CrashChildSettings;
const experiment = standInExperiment(settings.urls, { concurrency: 4 });
const small = { ...experiment.small, concurrency: 4 };
const large = { ...experiment.large, concurrency: 4 };
const result = await runLiveExperiment({
  experiment: { ...experiment, small, large },
  registry: testRegistry(),
  outFolder: settings.outFolder,
  cachePath: settings.cachePath,
  resume: settings.resume,
  problems: syntheticProblems(settings.problems),
  // the first line is written just before the first request goes out
  write: (text) => {
    if (text.startsWith('run: stand-in-run:')) process.stdout.write('sending\n');
  },
});
process.stdout.write(`${result.status}\n`);
