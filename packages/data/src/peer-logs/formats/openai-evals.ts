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
  tokenCount,
  type PeerLogFormat,
  type PeerSample,
} from '../peer-log-format.js';

/**
 * OpenAI evals' `oaieval` record file (its `evals/record.py`, LocalRecorder): a JSON line `{"spec": RunSpec}` first
 * (completion_fns, eval_name, base_eval, split, run_config, run_id), then events `{run_id, event_id, sample_id, type,
 * data, created_by, created_at}` and a `{"final_report": …}` line, which may come before the events (events are
 * flushed at exit). Per sample: `sampling` (data.prompt, data.sampled, and from the OpenAI completion functions
 * data.model and data.usage), `match` (data.correct, expected, picked) and `metrics` (model-graded evals: score,
 * choice). A sample's events may be spread over the file (threads, batched flushes), so samples are gathered a line at
 * a time (only what becomes the sample is kept) and handed over at the end, in order of first appearance.
 */

const RunSpec = z.looseObject({
  completion_fns: z.array(z.string()).optional(),
  eval_name: z.string().optional(),
  base_eval: z.string().nullish(),
  split: z.string().nullish(),
  run_id: z.string().optional(),
});

const EventLine = z.looseObject({
  run_id: z.string().optional(),
  event_id: z.number().int().nonnegative(),
  sample_id: z.unknown().optional(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()).nullish(),
});

const Usage = z.looseObject({
  prompt_tokens: z.unknown(),
  completion_tokens: z.unknown(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.unknown().optional() }).nullish(),
});

/** What one sample's events say, kept until the file is read. */
interface Gathered {
  id: string;
  question: string | null;
  text: string | null;
  usage: PeerSample['usage'];
  match?: { correct: boolean; expected: unknown; picked: unknown; line: number };
  metrics?: { data: Record<string, unknown>; line: number };
  errored: boolean;
  firstLine: number;
}

/** Expected or picked answers as text: a string, or a list of them joined by ` | `. */
function answerText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(' | ');
  return JSON.stringify(value);
}

/** The question of a sampling prompt: a string, or the user messages of a chat prompt (else every message). */
function questionOf(prompt: unknown): string | null {
  if (prompt === undefined || prompt === null) return null;
  if (Array.isArray(prompt)) {
    const users = prompt.filter((message) => typeof message === 'object' && message !== null && (message as { role?: unknown }).role === 'user');
    return textOf(users.length > 0 ? users : prompt);
  }
  return textOf(prompt);
}

function usageOf(value: unknown, file: string, place: string): PeerSample['usage'] {
  if (value === undefined || value === null) return null;
  const usage = parseSampleShape(Usage, value, file, place);
  const input = tokenCount(usage.prompt_tokens, file, place, 'data.usage.prompt_tokens');
  const output = tokenCount(usage.completion_tokens, file, place, 'data.usage.completion_tokens');
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  // OpenAI counts reasoning inside completion_tokens: kept apart, billed as output either way
  const thinking = reasoning === undefined || reasoning === null ? 0 : Math.min(tokenCount(reasoning, file, place, 'data.usage.completion_tokens_details.reasoning_tokens'), output);
  return { input, output: output - thinking, thinking };
}

function firstLineOf(path: string): string | undefined {
  let first: string | undefined;
  try {
    forEachLine(path, (text) => {
      if (first === undefined && text.trim() !== '') {
        first = text;
        throw new Error('enough');
      }
    });
  } catch {
    // stopped after the first line
  }
  return first;
}

export const openAiEvalsFormat: PeerLogFormat = {
  name: 'openai-evals',
  reads: 'OpenAI evals `oaieval` record JSONL: the spec line (completion_fns[0] is the model, base_eval the slice), then per sample_id the first `sampling` event (prompt → question, sampled → text, usage → tokens) and its `match` (correct → 1/0, expected → gold, picked → answer) or `metrics` (score) event; samples without either are left out and counted',
  async detect(path) {
    if (!/\.jsonl(\.gz)?$/i.test(path)) return false;
    const first = firstLineOf(path);
    return first !== undefined && /^\s*\{\s*"spec"\s*:/.test(first) && /"(completion_fns|eval_name)"/.test(first);
  },
  async read(path, options, onSample) {
    const summary = newReadSummary([path]);
    let spec: z.infer<typeof RunSpec> | undefined;
    const samples = new Map<string, Gathered>();
    const eventLines = new Map<number, number>();
    forEachLine(path, (text, lineNumber) => {
      if (text.trim() === '') return;
      const place = `line ${lineNumber}`;
      const value = parseJsonAt(text, path, place);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw peerLogError(path, place, undefined, 'expected a JSON object (the spec, an event or the final report)');
      if ('spec' in value) {
        if (spec !== undefined) throw peerLogError(path, place, 'spec', 'a second spec line: one record file holds one run');
        spec = parseSampleShape(z.looseObject({ spec: RunSpec }), value, path, place).spec;
        summary.fields.add('spec');
        return;
      }
      if ('final_report' in value) {
        summary.fields.add('final_report');
        return;
      }
      const event = parseSampleShape(EventLine, value, path, place);
      summary.fields.add(`event:${event.type}`);
      const earlierEvent = eventLines.get(event.event_id);
      if (earlierEvent !== undefined) throw peerLogError(path, place, 'event_id', `event ${event.event_id} appears twice (also line ${earlierEvent})`);
      eventLines.set(event.event_id, lineNumber);
      if (spec?.run_id !== undefined && event.run_id !== undefined && event.run_id !== spec.run_id) throw peerLogError(path, place, 'run_id', `an event of run "${event.run_id}" in the record of run "${spec.run_id}": one record file holds one run`);
      const id = sampleId(event.sample_id, path, place, 'sample_id');
      let sample = samples.get(id);
      if (sample === undefined) {
        sample = { id, question: null, text: null, usage: null, errored: false, firstLine: lineNumber };
        samples.set(id, sample);
      }
      const data = event.data ?? {};
      if (event.type === 'sampling') {
        // the first sampling is the model's answer; later ones are further turns or a model grader's
        if (sample.text !== null) return;
        if (!('sampled' in data)) throw peerLogError(path, place, 'data.sampled', 'the sampling event has no sampled completion');
        const sampled = data['sampled'];
        sample.text = Array.isArray(sampled) ? (sampled.length > 0 ? textOf(sampled[0]) : '') : textOf(sampled);
        sample.question = questionOf(data['prompt']);
        sample.usage = usageOf(data['usage'], path, place);
      } else if (event.type === 'match') {
        if (sample.match !== undefined) throw peerLogError(path, place, 'sample_id', `sample "${id}" has a second match event (also line ${sample.match.line})`);
        if (typeof data['correct'] !== 'boolean') throw peerLogError(path, place, 'data.correct', `expected true or false, got ${JSON.stringify(data['correct'])}`);
        sample.match = { correct: data['correct'], expected: data['expected'], picked: data['picked'], line: lineNumber };
      } else if (event.type === 'metrics') {
        if (sample.metrics !== undefined) throw peerLogError(path, place, 'sample_id', `sample "${id}" has a second metrics event (also line ${sample.metrics.line})`);
        sample.metrics = { data, line: lineNumber };
      } else if (event.type === 'error') {
        sample.errored = true;
      }
    });
    const model = options.model ?? spec?.completion_fns?.[0];
    if (model === undefined) throw peerLogError(path, undefined, 'spec.completion_fns', spec === undefined ? 'the record has no spec line to name the model (or give --model)' : 'the spec names no completion function (or give --model)');
    const slice = spec?.base_eval ?? spec?.eval_name;
    for (const sample of samples.values()) {
      const graded = sample.match ?? sample.metrics;
      if (graded === undefined) {
        leaveOut(summary, sample.errored ? 'ended in an error event, not graded' : 'no match or metrics event (not graded)');
        continue;
      }
      const place = `line ${graded.line}`;
      let score: number;
      let correct: boolean | undefined;
      if (options.scorer === undefined && sample.match !== undefined) {
        correct = sample.match.correct;
        score = correct ? 1 : 0;
      } else {
        const metrics = sample.metrics;
        if (metrics === undefined) throw peerLogError(path, place, 'data', `sample "${sample.id}" has no metrics event to read "${options.scorer}" from`);
        const key = options.scorer ?? ['score', 'accuracy'].find((name) => name in metrics.data);
        if (key === undefined || !(key in metrics.data)) throw peerLogError(path, `line ${metrics.line}`, key === undefined ? 'data' : `data.${key}`, `no score in the metrics event (keys: ${Object.keys(metrics.data).join(', ') || 'none'}; name one with --scorer)`);
        if (metrics.data[key] === null) {
          leaveOut(summary, `metrics ${key} is null (no grade)`);
          continue;
        }
        score = scoreValue(metrics.data[key], path, `line ${metrics.line}`, `data.${key}`);
      }
      onSample({
        model,
        id: sample.id,
        question: sample.question,
        gold: answerText(sample.match?.expected),
        ...(slice ? { slice } : {}),
        text: sample.text ?? '',
        answer: answerText(sample.match?.picked),
        score,
        ...(correct !== undefined ? { correct } : {}),
        usage: sample.usage,
        costUsd: null,
        latencyMs: null,
        finishReason: null,
        place,
      });
    }
    return summary;
  },
};
