import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { z } from 'zod';
import {
  leaveOut,
  newReadSummary,
  parseJsonAt,
  parseSampleShape,
  peerLogError,
  sampleId,
  scoreValue,
  textOf,
  tokenCount,
  type PeerLogFormat,
  type PeerLogReadOptions,
  type PeerLogReadSummary,
  type PeerSample,
  fileHead,
} from '../peer-log-format.js';
import { ZipArchive, zipEntryPlace } from '../zip-archive.js';

/**
 * inspect_ai's eval logs (UK AISI), as its `inspect_ai.log` module defines them (EvalLog, EvalSpec, EvalSample,
 * EvalSampleSummary, ModelOutput, ModelUsage, Score): a `.eval` file is a zip of `header.json` (the EvalLog without
 * samples: `eval.model`, `eval.task`), `samples/<id>_epoch_<n>.json` (one EvalSample each) and `summaries.json`; a
 * `.json` log is the EvalLog whole, its samples under `samples`.
 */

const ModelUsage = z.looseObject({
  input_tokens: z.number(),
  output_tokens: z.number(),
  reasoning_tokens: z.number().nullish(),
});
type ModelUsage = z.infer<typeof ModelUsage>;

const Score = z.looseObject({ value: z.unknown(), answer: z.unknown().optional(), explanation: z.unknown().optional() });

const EvalSample = z.looseObject({
  id: z.unknown().optional(),
  epoch: z.number().int().positive().optional(),
  input: z.unknown().optional(),
  target: z.union([z.string(), z.array(z.string())]).optional(),
  output: z
    .looseObject({
      model: z.string().optional(),
      choices: z.array(z.looseObject({ message: z.looseObject({ content: z.unknown().optional() }), stop_reason: z.string().nullish(), logprobs: z.unknown().optional() })).optional(),
      usage: ModelUsage.nullish(),
    })
    .optional(),
  scores: z.record(z.string(), Score).nullish(),
  model_usage: z.record(z.string(), ModelUsage).optional(),
  total_time: z.number().nullish(),
  working_time: z.number().nullish(),
  error: z.unknown().optional(),
});
type EvalSample = z.infer<typeof EvalSample>;

const EvalHeader = z.looseObject({
  eval: z.looseObject({ task: z.string(), model: z.string() }),
});

const SAMPLE_ENTRY = /^samples\/.+_epoch_(\d+)\.json$/;

/** The question: a string input, or the user messages of a chat input. */
function questionOf(input: unknown): string | null {
  if (input === undefined || input === null) return null;
  if (Array.isArray(input)) {
    const users = input.filter((message) => typeof message === 'object' && message !== null && (message as { role?: unknown }).role === 'user');
    return textOf(users.length > 0 ? users : input);
  }
  return textOf(input);
}

function summedUsage(usages: ModelUsage[], file: string, place: string): PeerSample['usage'] {
  if (usages.length === 0) return null;
  let input = 0;
  let output = 0;
  let thinking = 0;
  for (const usage of usages) {
    input += tokenCount(usage.input_tokens, file, place, 'model_usage.input_tokens');
    const reasoning = usage.reasoning_tokens ? tokenCount(usage.reasoning_tokens, file, place, 'model_usage.reasoning_tokens') : 0;
    const out = tokenCount(usage.output_tokens, file, place, 'model_usage.output_tokens');
    // inspect counts reasoning inside output_tokens: kept apart, billed as output either way
    thinking += Math.min(reasoning, out);
    output += out - Math.min(reasoning, out);
  }
  return { input, output, thinking };
}

/** One EvalSample as a PeerSample of `model` in `task`. */
export function inspectSample(raw: unknown, model: string, task: string, options: PeerLogReadOptions, file: string, place: string, summary: PeerLogReadSummary): PeerSample | undefined {
  const sample: EvalSample = parseSampleShape(EvalSample, raw, file, place);
  for (const key of Object.keys(sample)) summary.fields.add(key);
  const id = sampleId(sample.id, file, place, 'id');
  const scores = sample.scores ?? {};
  const scorer = options.scorer ?? Object.keys(scores)[0];
  if (scorer === undefined) {
    if (sample.error !== undefined && sample.error !== null) {
      leaveOut(summary, 'the sample ended in an error and has no score');
      return undefined;
    }
    throw peerLogError(file, place, 'scores', 'the sample has no score');
  }
  const score = scores[scorer];
  if (score === undefined) throw peerLogError(file, place, `scores.${scorer}`, `no score "${scorer}" (scores: ${Object.keys(scores).join(', ') || 'none'})`);
  const choice = sample.output?.choices?.[0];
  if (choice?.logprobs !== undefined && choice.logprobs !== null) summary.fields.add('output.choices.logprobs');
  const usage = sample.model_usage && Object.keys(sample.model_usage).length > 0 ? summedUsage(Object.values(sample.model_usage), file, place) : sample.output?.usage ? summedUsage([sample.output.usage], file, place) : null;
  const target = sample.target === undefined ? null : Array.isArray(sample.target) ? sample.target.join(' | ') : sample.target;
  return {
    model,
    id,
    ...(sample.epoch !== undefined ? { epoch: sample.epoch } : {}),
    question: questionOf(sample.input),
    gold: target,
    slice: task,
    text: textOf(choice?.message.content),
    answer: score.answer === undefined || score.answer === null ? null : textOf(score.answer),
    score: scoreValue(score.value, file, place, `scores.${scorer}.value`),
    usage,
    costUsd: null,
    latencyMs: typeof sample.total_time === 'number' ? sample.total_time * 1000 : null,
    finishReason: choice?.stop_reason ?? null,
    place,
  };
}

function startsWithZipMagic(path: string): boolean {
  const descriptor = openSync(path, 'r');
  try {
    const bytes = Buffer.alloc(4);
    readSync(descriptor, bytes, 0, 4, 0);
    return bytes.readUInt32LE(0) === 0x04034b50;
  } finally {
    closeSync(descriptor);
  }
}

async function readEvalZip(path: string, options: PeerLogReadOptions, onSample: (sample: PeerSample) => void): Promise<PeerLogReadSummary> {
  const summary = newReadSummary([path]);
  const archive = await ZipArchive.open(path);
  try {
    const headerEntry = archive.has('header.json') ? 'header.json' : archive.has('_journal/start.json') ? '_journal/start.json' : undefined;
    if (headerEntry === undefined) throw peerLogError(path, undefined, 'header.json', 'the archive has neither header.json nor _journal/start.json: not an inspect_ai .eval log');
    const header = parseSampleShape(EvalHeader, await archive.json(headerEntry), path, `zip entry ${headerEntry}`);
    const model = options.model ?? header.eval.model;
    const entries = archive
      .names()
      .filter((name) => SAMPLE_ENTRY.test(name))
      .sort((left, right) => left.localeCompare(right, 'en', { numeric: true }));
    if (entries.length > 0) {
      for (const name of entries) {
        const place = `zip entry ${name}`;
        const sample = inspectSample(parseJsonAt(await archive.text(name), path, place), model, header.eval.task, options, path, place, summary);
        if (sample) onSample(sample);
      }
      return summary;
    }
    // a log written without samples: the summaries hold ids, inputs, targets and scores (no output text)
    if (!archive.has('summaries.json')) throw peerLogError(path, undefined, 'samples', 'the archive holds no samples/ entries and no summaries.json');
    const summaries = await archive.json('summaries.json');
    if (!Array.isArray(summaries)) throw peerLogError(zipEntryPlace(path, 'summaries.json'), undefined, undefined, 'expected an array of sample summaries');
    summaries.forEach((raw, index) => {
      const sample = inspectSample(raw, model, header.eval.task, options, path, `zip entry summaries.json, item ${index + 1}`, summary);
      if (sample) onSample(sample);
    });
    return summary;
  } finally {
    archive.close();
  }
}

async function readJsonLog(path: string, options: PeerLogReadOptions, onSample: (sample: PeerSample) => void): Promise<PeerLogReadSummary> {
  const summary = newReadSummary([path]);
  // a .json log is one document: parsed whole (the .eval zip is read a sample at a time)
  const log = parseJsonAt(readFileSync(path, 'utf8'), path, 'the log');
  const header = parseSampleShape(EvalHeader, log, path, 'the log');
  const samples = (log as { samples?: unknown }).samples;
  if (!Array.isArray(samples)) throw peerLogError(path, undefined, 'samples', 'the log holds no samples (written with --no-log-samples?)');
  samples.forEach((raw, index) => {
    const sample = inspectSample(raw, options.model ?? header.eval.model, header.eval.task, options, path, `samples[${index}]`, summary);
    if (sample) onSample(sample);
  });
  return summary;
}


export const inspectAiFormat: PeerLogFormat = {
  name: 'inspect-ai',
  reads: 'inspect_ai logs: `.eval` (zip: header.json for the model and task, samples/<id>_epoch_<n>.json one at a time, summaries.json when samples are absent) and `.json` (the EvalLog whole); per sample: id, epoch, input, target, output choice (text, stop reason; logprobs noted), scores (value, answer), model usage, total time',
  async detect(path) {
    if (/\.eval$/i.test(path)) return startsWithZipMagic(path);
    if (!/\.json$/i.test(path)) return false;
    const head = fileHead(path, 4096);
    return /"eval"\s*:\s*\{/.test(head) && /"version"\s*:\s*\d/.test(head);
  },
  read(path, options, onSample) {
    return /\.eval$/i.test(path) ? readEvalZip(path, options, onSample) : readJsonLog(path, options, onSample);
  },
};
