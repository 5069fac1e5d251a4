import { readFileSync } from 'node:fs';
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
  type PeerSample,
  fileHead,
} from '../peer-log-format.js';

/**
 * promptfoo's results file (`promptfoo eval -o results.json`), its `OutputFile` type (src/types): `{evalId, results:
 * EvaluateSummaryV3, config, shareableUrl, metadata}`, where EvaluateSummaryV3 is `{version: 3, timestamp, prompts,
 * results: EvaluateResult[], stats}`. An EvaluateResult is one cell of the provider × prompt × test grid: promptIdx,
 * testIdx, testCase (vars, assert), prompt (raw, label), provider ({id, label}), response (ProviderResponse: output,
 * tokenUsage {prompt, completion, total, cached, completionDetails}, cost, latencyMs, finishReason), error,
 * failureReason (0 none, 1 assertion, 2 error), success, score, latencyMs, gradingResult, namedScores, cost.
 */

const TokenUsage = z.looseObject({
  prompt: z.number().optional(),
  completion: z.number().optional(),
  total: z.number().optional(),
  cached: z.number().optional(),
  completionDetails: z.looseObject({ reasoning: z.number().nullish() }).nullish(),
});
type TokenUsage = z.infer<typeof TokenUsage>;

const EvaluateResult = z.looseObject({
  promptIdx: z.number().int().nonnegative().optional(),
  promptId: z.string().optional(),
  testIdx: z.unknown().optional(),
  testCase: z
    .looseObject({
      vars: z.record(z.string(), z.unknown()).optional(),
      assert: z.array(z.looseObject({ type: z.string().optional(), value: z.unknown().optional() })).nullish(),
      description: z.string().optional(),
    })
    .optional(),
  prompt: z.looseObject({ raw: z.string().optional(), label: z.string().optional() }).optional(),
  provider: z.looseObject({ id: z.string(), label: z.string().nullish() }),
  response: z
    .looseObject({
      output: z.unknown().optional(),
      tokenUsage: TokenUsage.nullish(),
      cost: z.number().nullish(),
      latencyMs: z.number().nullish(),
      finishReason: z.string().nullish(),
      error: z.string().nullish(),
    })
    .nullish(),
  error: z.string().nullish(),
  failureReason: z.number().int().optional(),
  success: z.boolean(),
  score: z.unknown(),
  latencyMs: z.number().nullish(),
  namedScores: z.record(z.string(), z.unknown()).optional(),
  tokenUsage: TokenUsage.nullish(),
  cost: z.number().nullish(),
});

const OutputFile = z.looseObject({
  evalId: z.string().nullish(),
  results: z.looseObject({
    version: z.number(),
    prompts: z.array(z.unknown()).optional(),
    results: z.array(z.unknown()),
  }),
});

/** Assertions whose value is the expected answer (the gold); model-graded and scripted ones have none. */
const GOLD_ASSERTIONS = new Set(['equals', 'contains', 'icontains', 'starts-with', 'regex']);
const ERROR = 2;

function goldOf(asserts: { type?: string | undefined; value?: unknown }[] | null | undefined): string | null {
  const gold = asserts?.find((assertion) => assertion.type !== undefined && GOLD_ASSERTIONS.has(assertion.type) && (typeof assertion.value === 'string' || typeof assertion.value === 'number'));
  return gold === undefined ? null : String(gold.value);
}

function usageOf(usage: TokenUsage | null | undefined, file: string, place: string, field: string): PeerSample['usage'] {
  // a cached response records only `cached` and `total`: no split into prompt and completion, so no usage
  if (!usage || usage.prompt === undefined || usage.completion === undefined) return null;
  const input = tokenCount(usage.prompt, file, place, `${field}.prompt`);
  const output = tokenCount(usage.completion, file, place, `${field}.completion`);
  const reasoning = usage.completionDetails?.reasoning;
  const thinking = reasoning === undefined || reasoning === null ? 0 : Math.min(tokenCount(reasoning, file, place, `${field}.completionDetails.reasoning`), output);
  return { input, output: output - thinking, thinking };
}

function costOf(value: number | null | undefined, file: string, place: string, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isFinite(value) || value < 0) throw peerLogError(file, place, field, `expected a cost in dollars, got ${value}`);
  return value;
}


export const promptfooFormat: PeerLogFormat = {
  name: 'promptfoo',
  reads: 'promptfoo `eval -o results.json` (results version 3): one run per provider (label, else id); per result testIdx (id; `p<n>/<testIdx>` when the file holds several prompts, told apart by promptId, the prompt label then the slice), prompt.raw (question), the first equals/contains/starts-with/regex assertion value (gold), response.output, score (or a named score with --scorer) and success (verdict), response.tokenUsage (prompt, completion, reasoning), cost, latencyMs; provider errors left out and counted',
  async detect(path) {
    if (!/\.json$/i.test(path)) return false;
    const head = fileHead(path, 4096);
    return /"results"\s*:\s*\{\s*"version"\s*:\s*\d/.test(head) || (/"evalId"\s*:/.test(head) && /"results"\s*:\s*\{/.test(head));
  },
  async read(path, options, onSample) {
    const summary = newReadSummary([path]);
    // a results file is one JSON document: parsed whole
    const file = parseSampleShape(OutputFile, parseJsonAt(readFileSync(path, 'utf8'), path, 'the results file'), path, 'the results file');
    if (file.results.version !== 3) throw peerLogError(path, undefined, 'results.version', `expected promptfoo's results version 3, got ${file.results.version} (re-export it with a current promptfoo: promptfoo export)`);
    const rows = file.results.results;
    // promptIdx numbers the provider × prompt columns, so prompts are told apart by promptId (else the template)
    const promptKeys: string[] = [];
    const promptKeyOf = (row: unknown): string => {
      const cell = (row ?? {}) as { promptId?: unknown; prompt?: { label?: unknown }; promptIdx?: unknown };
      return String(cell.promptId ?? cell.prompt?.label ?? cell.promptIdx ?? 0);
    };
    for (const row of rows) if (!promptKeys.includes(promptKeyOf(row))) promptKeys.push(promptKeyOf(row));
    const severalPrompts = promptKeys.length > 1;
    rows.forEach((raw, index) => {
      const place = `results.results[${index}]`;
      const result = parseSampleShape(EvaluateResult, raw, path, place);
      for (const key of Object.keys(result)) summary.fields.add(key);
      const testIdx = sampleId(result.testIdx, path, place, 'testIdx');
      if (result.failureReason === ERROR || ((result.response?.output === undefined || result.response?.output === null) && (result.error || result.response?.error))) {
        leaveOut(summary, 'the provider returned an error (failureReason 2)');
        return;
      }
      let score: number;
      if (options.scorer !== undefined) {
        if (!(options.scorer in (result.namedScores ?? {}))) throw peerLogError(path, place, `namedScores.${options.scorer}`, `no named score "${options.scorer}" (named scores: ${Object.keys(result.namedScores ?? {}).join(', ') || 'none'})`);
        score = scoreValue(result.namedScores![options.scorer], path, place, `namedScores.${options.scorer}`);
      } else {
        if (result.score === undefined) throw peerLogError(path, place, 'score', 'the result has no score');
        score = scoreValue(result.score, path, place, 'score');
      }
      const output = result.response?.output;
      const promptLabel = result.prompt?.label;
      onSample({
        model: options.model ?? result.provider.label ?? result.provider.id,
        id: severalPrompts ? `p${promptKeys.indexOf(promptKeyOf(raw)) + 1}/${testIdx}` : testIdx,
        question: result.prompt?.raw ?? null,
        gold: goldOf(result.testCase?.assert),
        ...(severalPrompts ? { slice: promptLabel ?? `prompt ${promptKeys.indexOf(promptKeyOf(raw)) + 1}` } : {}),
        text: output === undefined || output === null ? '' : typeof output === 'string' ? output : JSON.stringify(output),
        answer: null,
        score,
        // the verdict is promptfoo's (every assertion passed) unless a named score is read
        ...(options.scorer === undefined ? { correct: result.success } : {}),
        usage: result.response?.tokenUsage ? usageOf(result.response.tokenUsage, path, place, 'response.tokenUsage') : usageOf(result.tokenUsage, path, place, 'tokenUsage'),
        costUsd: result.cost !== undefined && result.cost !== null ? costOf(result.cost, path, place, 'cost') : costOf(result.response?.cost, path, place, 'response.cost'),
        latencyMs: result.latencyMs ?? result.response?.latencyMs ?? null,
        finishReason: result.response?.finishReason ?? null,
        place,
      });
    });
    return summary;
  },
};
