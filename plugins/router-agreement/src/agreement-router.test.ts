import { PluginRegistry, RUN_RECORD_SCHEMA_VERSION, SEED_PRICES_2025_11, type RunRecord } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { agreementRouter, answerKey } from './agreement-router.js';

const router = new PluginRegistry().register(agreementRouter).create('router', 'core/agreement', {}, { priceTable: SEED_PRICES_2025_11 }).instance;
const problem = { id: 'p', problem: 'x', answer: '1' };

function answering(answer: string | null): RunRecord {
  return {
    schemaVersion: RUN_RECORD_SCHEMA_VERSION,
    runId: 'r',
    problemId: 'p',
    gold: '1',
    generation: { model: 'm', text: '', answer, confidenceToken: null, usage: { input: 0, output: 0, thinking: 0 }, latencyMs: null, finishReason: null },
    grade: { correct: true, evaluator: 'recorded' },
  };
}

describe('core/agreement', () => {
  it.each([
    ['\\left(3, \\frac{\\pi}{2}\\right)', '(3,\\frac{\\pi}{2})', 'small'],
    ['\\dfrac{1}{2}', '\\frac{1}{2}', 'small'],
    ['12', '13', 'large'],
    [null, null, 'large'],
  ])('%s vs %s -> %s', async (first, second, expected) => {
    expect(router.capabilities).toMatchObject({ decides: 'after-first-answer', reads: ['small', 'second'] });
    expect((await router.decide({ problem, models: ['small', 'large'], answers: { small: answering(first), second: answering(second) } })).model).toBe(expected);
  });

  it('normalises only spacing and sizing commands', () => {
    expect(answerKey('\\left( 1, 2 \\right).')).toBe('(1,2)');
    expect(answerKey('x+1')).not.toBe(answerKey('1+x'));
  });
});
