import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { forEachLine } from '../../io/line-reader.js';
import {
  leaveOut,
  newReadSummary,
  parseJsonAt,
  parseSampleShape,
  peerLogError,
  sampleId,
  scoreValue,
  textOf,
  type PeerLogFormat,
  type PeerLogReadOptions,
  type PeerSample,
} from '../peer-log-format.js';

/**
 * lm-evaluation-harness (EleutherAI) with `--log_samples`: beside `results_<time>.json` (results per task, the config
 * with `model_args`, `model_name`), one `samples_<task>_<time>.jsonl` per task, a line per document and filter:
 * doc_id, doc, target, arguments, resps, filtered_resps, filter, metrics (the metric names) and a column per metric
 * (exact_match, acc, …). `--output_path` writes them under `<output>/<model name>/`.
 */

const SAMPLES_FILE = /^samples_(.+)_(\d{4}-\d{2}-\d{2}T[0-9\-.:]+)\.jsonl$/;

const SampleLine = z.looseObject({
  doc_id: z.unknown().optional(),
  doc: z.record(z.string(), z.unknown()).optional(),
  target: z.unknown().optional(),
  arguments: z.unknown().optional(),
  resps: z.array(z.unknown()).optional(),
  filtered_resps: z.array(z.unknown()).optional(),
  filter: z.string().optional(),
  metrics: z.array(z.string()).optional(),
});

const ResultsFile = z.looseObject({
  model_name: z.string().optional(),
  config: z.looseObject({ model: z.string().optional(), model_args: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish() }).optional(),
});

/** The metric columns lm-eval writes most, tried in order when a line does not list its `metrics`. */
const KNOWN_METRICS = ['exact_match', 'acc', 'acc_norm', 'pass@1', 'f1', 'em', 'bleu', 'rouge1'];
const QUESTION_KEYS = ['question', 'problem', 'prompt', 'query', 'input', 'text', 'goal', 'ctx'];

/** The model a results file names: `model_name`, else `pretrained=` (or `model=`) of `model_args`, else `config.model`. */
function modelOfResults(path: string): string {
  const results = parseSampleShape(ResultsFile, parseJsonAt(readFileSync(path, 'utf8'), path, 'the results file'), path, 'the results file');
  if (results.model_name) return results.model_name;
  const args = results.config?.model_args;
  if (typeof args === 'string') {
    const named = /(?:^|,)\s*(?:pretrained|model)=([^,]+)/.exec(args);
    if (named) return named[1]!.trim();
  } else if (args && typeof args === 'object') {
    const named = (args as Record<string, unknown>)['pretrained'] ?? (args as Record<string, unknown>)['model'];
    if (typeof named === 'string') return named;
  }
  if (results.config?.model) return results.config.model;
  throw peerLogError(path, undefined, 'model_name', 'the results file names no model (model_name, config.model_args pretrained=…, config.model)');
}

/** The samples files of a path: the file itself, or every samples_*.jsonl under a folder (sorted). */
function samplesFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const found: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder).sort()) {
      const child = join(folder, name);
      if (statSync(child).isDirectory()) walk(child);
      else if (SAMPLES_FILE.test(name)) found.push(child);
    }
  };
  walk(path);
  return found;
}

function questionOf(line: z.infer<typeof SampleLine>): string | null {
  for (const key of QUESTION_KEYS) {
    const value = line.doc?.[key];
    if (typeof value === 'string') return value;
  }
  // the prompt as sent: arguments[0][0] (older logs) or arguments.gen_args_0.arg_0 (0.4.x)
  const args = line.arguments as unknown;
  if (Array.isArray(args) && Array.isArray(args[0]) && typeof args[0][0] === 'string') return args[0][0];
  const first = (args as { gen_args_0?: { arg_0?: unknown } } | undefined)?.gen_args_0?.arg_0;
  return first === undefined ? null : textOf(first);
}

function readSamplesFile(file: string, model: string, options: PeerLogReadOptions, onSample: (sample: PeerSample) => void, summary: ReturnType<typeof newReadSummary>): void {
  const task = SAMPLES_FILE.exec(basename(file))![1]!;
  let filter = options.filter;
  forEachLine(file, (text, lineNumber) => {
    if (text.trim() === '') return;
    const place = `line ${lineNumber}`;
    const line = parseSampleShape(SampleLine, parseJsonAt(text, file, place), file, place);
    for (const key of Object.keys(line)) summary.fields.add(key);
    // one line per document and filter: the chosen filter's lines are read, the others counted
    filter ??= line.filter;
    if (line.filter !== undefined && line.filter !== filter) {
      leaveOut(summary, `lines of another filter than "${filter}"`);
      return;
    }
    const metric = options.scorer ?? line.metrics?.[0] ?? KNOWN_METRICS.find((name) => name in line);
    if (metric === undefined) throw peerLogError(file, place, 'metrics', `no metric column (tried ${KNOWN_METRICS.join(', ')}; name one with --scorer)`);
    if (!(metric in line)) throw peerLogError(file, place, metric, `the line has no "${metric}" column`);
    const response = line.resps?.[0];
    const text0 = Array.isArray(response) ? response[0] : response;
    const filtered = line.filtered_resps?.[0];
    const filteredText = Array.isArray(filtered) ? filtered[0] : filtered;
    onSample({
      model,
      id: `${task}/${sampleId(line.doc_id, file, place, 'doc_id')}`,
      question: questionOf(line),
      gold: line.target === undefined || line.target === null ? null : textOf(line.target),
      slice: task,
      text: typeof text0 === 'string' ? text0 : text0 === undefined ? '' : JSON.stringify(text0),
      answer: filteredText === undefined || filteredText === null ? null : typeof filteredText === 'string' ? filteredText : JSON.stringify(filteredText),
      score: scoreValue(line[metric], file, place, metric),
      // lm-eval records no token counts
      usage: null,
      costUsd: null,
      latencyMs: null,
      finishReason: null,
      place,
    });
  });
}

export const lmEvalFormat: PeerLogFormat = {
  name: 'lm-eval',
  reads: 'lm-evaluation-harness `--log_samples` output: a samples_<task>_<time>.jsonl (with its results_<time>.json beside it for the model) or a whole output folder; per line: doc_id, doc (question), target, resps, filtered_resps, the first listed metric (exact_match, acc, …) as the score; the task becomes the slice; no token counts (cost unknown)',
  async detect(path) {
    if (!existsSync(path)) return false;
    if (statSync(path).isDirectory()) return samplesFiles(path).length > 0;
    return SAMPLES_FILE.test(basename(path));
  },
  async read(path, options, onSample) {
    const files = samplesFiles(path);
    if (files.length === 0) throw peerLogError(path, undefined, undefined, 'no samples_<task>_<time>.jsonl files here (lm-eval writes them with --log_samples)');
    const summary = newReadSummary([]);
    for (const file of files) {
      const time = SAMPLES_FILE.exec(basename(file))![2]!;
      const results = join(dirname(file), `results_${time}.json`);
      if (!existsSync(results) && options.model === undefined) throw peerLogError(file, undefined, undefined, `no results_${time}.json beside it to name the model (or give --model)`);
      const model = options.model ?? modelOfResults(results);
      summary.files.push(file, ...(existsSync(results) ? [results] : []));
      readSamplesFile(file, model, options, onSample, summary);
    }
    return summary;
  },
};
