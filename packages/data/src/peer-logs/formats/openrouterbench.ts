import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import {
  leaveOut,
  newReadSummary,
  parseJsonAt,
  parseSampleShape,
  peerLogError,
  sampleId,
  scoreValue,
  tokenCount,
  type PeerLogFormat,
  type PeerLogReadOptions,
  type PeerLogReadSummary,
  type PeerSample,
  fileHead,
} from '../peer-log-format.js';

/**
 * OpenRouterBench (LLMRouterBench, ynulihao/OpenRouterBench) result files, `results/bench/<dataset>/<split>/<model>/
 * <YYYYMMDD_HHMMSS>.json`, as its README's "Result File Structure" and `baselines/data_loader.py` / `schema.py` read
 * them: dataset_name, split, model_name, demo, performance, time_taken, prompt_tokens, completion_tokens, cost, counts
 * and `records`, each with index, origin_query, prompt, prediction, raw_output, ground_truth, score, prompt_tokens,
 * completion_tokens and cost (USD). A folder (`results/bench/`) is read whole: the newest file of each folder, as the
 * project's own loader keeps it; demo files are left out.
 */

const TIMESTAMP_FILE = /^(\d{8})_(\d{6})\.json$/;

const ResultFile = z.looseObject({
  dataset_name: z.string().nullish(),
  split: z.string().nullish(),
  model_name: z.string().nullish(),
  demo: z.boolean().nullish(),
  records: z.array(z.unknown()),
});

const BenchRecord = z.looseObject({
  index: z.unknown().optional(),
  origin_query: z.unknown().optional(),
  prompt: z.unknown().optional(),
  prediction: z.unknown().optional(),
  raw_output: z.unknown().optional(),
  ground_truth: z.unknown().optional(),
  score: z.unknown().optional(),
  prompt_tokens: z.unknown().optional(),
  completion_tokens: z.unknown().optional(),
  cost: z.unknown().optional(),
});

/** A field as text the way the project's loader normalises it: strings kept, lists and objects as JSON, None as null. */
function textField(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}


function looksLikeResultFile(path: string): boolean {
  const head = fileHead(path, 16384);
  return /"records"\s*:\s*\[/.test(head) && /"origin_query"\s*:/.test(head);
}

/** The result files of a path: the file itself, or the newest result file of each folder under it (the older counted). */
function resultFiles(path: string, summary?: PeerLogReadSummary): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const found: string[] = [];
  const walk = (folder: string): void => {
    const names = readdirSync(folder).sort();
    const files = names.filter((name) => name.toLowerCase().endsWith('.json') && statSync(join(folder, name)).isFile() && looksLikeResultFile(join(folder, name)));
    const stamped = files.filter((name) => TIMESTAMP_FILE.test(name));
    // one dataset/split/model per folder: its newest timestamped file (names sort by time), as the project's loader does
    const kept = stamped.length > 0 ? [...files.filter((name) => !TIMESTAMP_FILE.test(name)), stamped[stamped.length - 1]!] : files;
    for (let older = 0; older < stamped.length - 1; older++) if (summary) leaveOut(summary, 'older result files of the same dataset, split and model (the newest is read)');
    found.push(...kept.map((name) => join(folder, name)));
    for (const name of names) if (statSync(join(folder, name)).isDirectory()) walk(join(folder, name));
  };
  walk(path);
  return found;
}

/** `<dataset>/<split>/<model>/<timestamp>.json`: the names the layout gives, where the file itself names none. */
function layoutNames(file: string): { dataset?: string; split?: string; model?: string } {
  if (!TIMESTAMP_FILE.test(basename(file))) return {};
  const modelFolder = dirname(file);
  const splitFolder = dirname(modelFolder);
  return { model: basename(modelFolder), split: basename(splitFolder), dataset: basename(dirname(splitFolder)) };
}

function readResultFile(file: string, options: PeerLogReadOptions, onSample: (sample: PeerSample) => void, summary: PeerLogReadSummary): void {
  // a result file is one JSON document: parsed whole
  const result = parseSampleShape(ResultFile, parseJsonAt(readFileSync(file, 'utf8'), file, 'the result file'), file, 'the result file');
  if (result.demo === true) {
    leaveOut(summary, 'demo result files');
    return;
  }
  const layout = layoutNames(file);
  const model = options.model ?? result.model_name ?? layout.model ?? basename(file).replace(/\.json$/i, '');
  const dataset = result.dataset_name ?? layout.dataset;
  const split = result.split ?? layout.split;
  result.records.forEach((raw, position) => {
    const place = `records[${position}]`;
    const record = parseSampleShape(BenchRecord, raw, file, place);
    for (const key of Object.keys(record)) summary.fields.add(key);
    const index = sampleId(record.index, file, place, 'index');
    if (!('score' in record)) throw peerLogError(file, place, 'score', 'the record has no score');
    if (record.score === null) {
      leaveOut(summary, 'score null (not evaluated)');
      return;
    }
    const hasTokens = record.prompt_tokens !== undefined && record.prompt_tokens !== null && record.completion_tokens !== undefined && record.completion_tokens !== null;
    const cost = record.cost;
    if (cost !== undefined && cost !== null && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) throw peerLogError(file, place, 'cost', `expected a cost in dollars, got ${JSON.stringify(cost)}`);
    const query = textField(record.origin_query);
    onSample({
      model,
      id: [dataset, split, index].filter((part) => part !== undefined && part !== null && part !== '').join('/'),
      question: query !== null && query !== '' ? query : textField(record.prompt),
      gold: textField(record.ground_truth),
      ...(dataset ? { slice: dataset } : {}),
      text: textField(record.raw_output) ?? '',
      answer: textField(record.prediction),
      score: scoreValue(record.score, file, place, 'score'),
      usage: hasTokens ? { input: tokenCount(record.prompt_tokens, file, place, 'prompt_tokens'), output: tokenCount(record.completion_tokens, file, place, 'completion_tokens'), thinking: 0 } : null,
      costUsd: typeof cost === 'number' ? cost : null,
      latencyMs: null,
      finishReason: null,
      place,
    });
  });
}

export const openRouterBenchFormat: PeerLogFormat = {
  name: 'openrouterbench',
  reads: 'OpenRouterBench (LLMRouterBench) result JSON `results/bench/<dataset>/<split>/<model>/<time>.json`, or the whole `results/bench/` folder (the newest file per folder; demo files left out): the model from model_name (else the folder, or --model); per record index (id `<dataset>/<split>/<index>`), origin_query (question), ground_truth, prediction (answer), raw_output (text), score (continuous kept), prompt_tokens / completion_tokens, cost; the dataset becomes the slice; records with a null score are left out and counted',
  async detect(path) {
    if (!existsSync(path)) return false;
    if (statSync(path).isDirectory()) return resultFiles(path).length > 0;
    return /\.json$/i.test(path) && looksLikeResultFile(path);
  },
  async read(path, options, onSample) {
    const summary = newReadSummary([]);
    const files = resultFiles(path, summary);
    if (files.length === 0) throw peerLogError(path, undefined, undefined, 'no OpenRouterBench result files here (JSON with "records" holding "origin_query")');
    for (const file of files) {
      summary.files.push(file);
      readResultFile(file, options, onSample, summary);
    }
    return summary;
  },
};
