import { basename } from 'node:path';
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
import { parsePythonLiteral, PythonLiteralError } from '../python-literal.js';

/**
 * RouterArena's per-model cache, `cached_results/<model>.jsonl` (its llm_inference and llm_evaluation scripts): a
 * line per query with global_index (`<dataset>_<n>`), question, generated_answer, success, provider, error,
 * token_usage ({input_tokens, output_tokens, total_tokens}) and evaluation_result (score, extracted answer, ground
 * truth, cost). The last two are often written as Python literals inside JSON strings (`str(dict)`): they are parsed
 * as literals, never evaluated.
 */

const CachedLine = z.looseObject({
  global_index: z.unknown().optional(),
  question: z.string().nullish(),
  generated_answer: z.string().nullish(),
  success: z.boolean().optional(),
  provider: z.string().nullish(),
  error: z.unknown().optional(),
  token_usage: z.unknown().optional(),
  evaluation_result: z.unknown().optional(),
});

/** A field given as an object, or as a Python literal (or JSON) inside a string. */
function objectField(value: unknown, file: string, place: string, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  if (typeof value !== 'string') throw peerLogError(file, place, field, `expected an object or a Python dict literal, got ${JSON.stringify(value)}`);
  let parsed: unknown;
  try {
    parsed = parsePythonLiteral(value);
  } catch (error) {
    if (error instanceof PythonLiteralError) throw peerLogError(file, place, field, `${error.message} in ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`);
    throw error;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw peerLogError(file, place, field, 'expected a dict literal');
  return parsed as Record<string, unknown>;
}

function optionalText(value: unknown): string | null {
  return value === undefined || value === null ? null : textOf(value);
}

export const routerArenaFormat: PeerLogFormat = {
  name: 'router-arena',
  reads: 'RouterArena `cached_results/<model>.jsonl` (the model is the file name): global_index (id; its dataset prefix becomes the slice), question, generated_answer, token_usage and evaluation_result (score, extracted answer, ground truth, cost) as objects or Python literals in strings; lines not yet graded or whose inference failed are left out and counted',
  async detect(path) {
    if (!/\.jsonl$/i.test(path)) return false;
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
    return first !== undefined && /"global_index"/.test(first) && /"generated_answer"/.test(first);
  },
  async read(path, options, onSample) {
    const summary = newReadSummary([path]);
    const model = options.model ?? basename(path).replace(/\.jsonl$/i, '');
    forEachLine(path, (text, lineNumber) => {
      if (text.trim() === '') return;
      const place = `line ${lineNumber}`;
      const line = parseSampleShape(CachedLine, parseJsonAt(text, path, place), path, place);
      for (const key of Object.keys(line)) summary.fields.add(key);
      const id = sampleId(line.global_index, path, place, 'global_index');
      if (line.success === false) {
        leaveOut(summary, 'inference failed (success: false)');
        return;
      }
      const evaluation = objectField(line.evaluation_result, path, place, 'evaluation_result');
      const usage = objectField(line.token_usage, path, place, 'token_usage');
      if (evaluation === undefined) {
        leaveOut(summary, 'not graded yet (no evaluation_result)');
        return;
      }
      const scoreKey = options.scorer ?? ['score', 'accuracy', 'correct'].find((key) => key in evaluation);
      if (scoreKey === undefined) throw peerLogError(path, place, 'evaluation_result', `no score in the evaluation result (keys: ${Object.keys(evaluation).join(', ')})`);
      const cost = evaluation['inference_cost'] ?? evaluation['cost'];
      if (cost !== undefined && cost !== null && (typeof cost !== 'number' || !Number.isFinite(cost) || cost < 0)) throw peerLogError(path, place, 'evaluation_result.inference_cost', `expected a cost in dollars, got ${JSON.stringify(cost)}`);
      const sample: PeerSample = {
        model,
        id,
        question: line.question ?? null,
        gold: optionalText(evaluation['ground_truth'] ?? evaluation['answer']),
        slice: id.includes('_') ? id.slice(0, id.lastIndexOf('_')) : id,
        text: line.generated_answer ?? '',
        answer: optionalText(evaluation['extracted_answer']),
        score: scoreValue(evaluation[scoreKey], path, place, `evaluation_result.${scoreKey}`),
        usage: usage
          ? { input: tokenCount(usage['input_tokens'], path, place, 'token_usage.input_tokens'), output: tokenCount(usage['output_tokens'], path, place, 'token_usage.output_tokens'), thinking: 0 }
          : null,
        costUsd: typeof cost === 'number' ? cost : null,
        latencyMs: null,
        finishReason: null,
        place,
      };
      onSample(sample);
    });
    return summary;
  },
};
