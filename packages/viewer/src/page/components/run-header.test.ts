import { RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { VIEW_DATA_SCHEMA_VERSION, type ViewAnswer, type ViewData } from '../../view-data.js';
import { inlinePageSource } from '../page-source.js';
import { thresholdModel } from '../threshold.js';
import { answersWithoutPConfident } from '../view-meta.js';
import { pipelineCheckNotes } from './run-header.js';

function answer(index: number, model: string, probabilities?: { confident: number; uncertain: number }): ViewAnswer {
  const record: RunRecord = {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: model,
    problemId: `p${index}`,
    gold: '1',
    generation: {
      model,
      text: '',
      answer: '1',
      confidenceToken: '<|c_math|>',
      ...(probabilities ? { confidenceProbabilities: probabilities } : {}),
      usage: { input: 10, output: 10, thinking: 0 },
      latencyMs: null,
      finishReason: null,
    },
    grade: { correct: index % 2 === 0, evaluator: 'recorded' },
  };
  return { record, math: { correct: true, reason: '', gold: null, prediction: null }, calls: [] };
}

// two answers with a P(c), two whose tokens hold ~1e-27 of the probability (a tiny random model)
function data(pipelineCheck: boolean): ViewData {
  const probabilities = [{ confident: 0.6, uncertain: 0.3 }, { confident: 0.2, uncertain: 0.7 }, { confident: 3e-27, uncertain: 1e-27 }, { confident: 1e-27, uncertain: 3e-27 }];
  return {
    schemaVersion: VIEW_DATA_SCHEMA_VERSION,
    title: 'tiny-e2e',
    command: 'confide view',
    runs: [
      { id: 'tiny-e2e/small', label: 'small', role: 'run', ...(pipelineCheck ? { pipelineCheck: { reason: 'a tiny random model' } } : {}) },
      { id: 'gemini-flash', label: 'large', role: 'large' },
    ],
    score: { score: 'p-confident', direction: 'keep-high', label: 'P(c)' },
    prices: SEED_PRICES_2025_11,
    bootstrap: { resamples: 10, seed: 0, confidence: 0.95 },
    problems: probabilities.map((entry, index) => ({
      id: `p${index}`,
      question: null,
      answers: [answer(index, 'qwen2.5-math-1.5b-instruct-lora-confidence', entry), answer(index, 'gemini-2.5-flash')],
    })),
  };
}

describe('the viewer header', () => {
  it('says a run is a pipeline check when its manifest does, and nothing when it does not', () => {
    expect(pipelineCheckNotes(data(true))).toEqual(['tiny-e2e/small: a tiny random model']);
    expect(pipelineCheckNotes(data(false))).toEqual([]);
  });

  it('counts the answers with no P(c) and says why', () => {
    expect(answersWithoutPConfident(data(false))).toEqual({ count: 2, reason: expect.stringMatching(/^no P\(c\): the confidence tokens hold 4\.0e-27 of the probability, under the floor 0\.5$/) });
  });

  it('delegates the answers with no P(c) at every threshold of the live sweep', () => {
    const source = inlinePageSource(data(false));
    const model = thresholdModel({ problemIds: () => ['p0', 'p1', 'p2', 'p3'], columns: (run) => source.columns[run]! }, 1, source.pairScore)!;
    for (let k = 0; k < model.points.length; k++) {
      expect(model.delegated(2, k)).toBe(true);
      expect(model.delegated(3, k)).toBe(true);
    }
    expect(model.points[0]!.delegationRate).toBe(0.5);
  });
});
