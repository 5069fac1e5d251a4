import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { scoreOfRecord, routingScore, RoutingScore } from './routing-score.js';
import { RunRecord } from './schemas/run-record.js';
import { testRunRecord } from './testing/records.js';
import {
  LOGPROB_CAP,
  quantiseLogprob,
  quantiseTokenLogprobs,
  summariseTokenConfidence,
  TokenConfidence,
  TokenLogprobs,
  type QuantisedLogprobs,
} from './token-confidence.js';

/** An answer's logprobs (exact multiples of 1/1024 nat, so storing them loses nothing). */
function stored(rows: number[][]): QuantisedLogprobs {
  return quantiseTokenLogprobs(TokenLogprobs.parse({ k: rows[0]!.length, positions: rows }));
}

describe('DeepConf signals, worked out by hand', () => {
  // k = 2, three tokens:
  //   C_0 = (0.25 + 2) / 2 = 1.125,  C_1 = (0.5 + 1) / 2 = 0.75,  C_2 = (0.125 + 3) / 2 = 1.5625
  //   mean = 3.4375 / 3 = 1.1458333…
  //   groups of 2: (1.125 + 0.75) / 2 = 0.9375 and (0.75 + 1.5625) / 2 = 1.15625 → bottom 10 % of 2 groups is the
  //   lowest one (⌊0.2⌋ = 0, at least 1): 0.9375; the lowest group 0.9375
  //   tail of 2: (0.75 + 1.5625) / 2 = 1.15625
  //   margin: e^-0.25 − e^-2 = 0.6434654999, e^-0.5 − e^-1 = 0.2386512185, e^-0.125 − e^-3 = 0.8327098342 → mean 0.5716088509
  const three = stored([
    [-0.25, -2],
    [-0.5, -1],
    [-0.125, -3],
  ]);

  it('gives token, group, bottom-10 %, lowest-group and tail confidence and the margin', () => {
    const summary = summariseTokenConfidence(three, { groupWindow: 2, tailTokens: 2 });
    expect(summary).toEqual({
      tokens: 3,
      k: 2,
      groupWindow: 2,
      tailTokens: 2,
      mean: expect.closeTo(1.1458333333, 9),
      tail: 1.15625,
      bottom10: 0.9375,
      lowestGroup: 0.9375,
      margin: expect.closeTo(0.5716088509, 9),
    });
    expect(TokenConfidence.parse(summary)).toEqual(summary);
  });

  it('takes an answer shorter than the window as one group (DeepConf: windows of 2048; the authors’ code: the mean)', () => {
    const summary = summariseTokenConfidence(three);
    expect(summary.groupWindow).toBe(2048);
    expect(summary.tailTokens).toBe(2048);
    expect(summary.bottom10).toBeCloseTo(1.1458333333, 9);
    expect(summary.lowestGroup).toBeCloseTo(1.1458333333, 9);
    expect(summary.tail).toBeCloseTo(1.1458333333, 9);
  });

  it('averages the lowest 10 % of the groups (two of twenty)', () => {
    // 21 tokens of [-0.5, -1.5] (C = 1) but token 7 [-0.25, -0.75] (C = 0.5) and token 8 [-0.75, -0.75] (C = 0.75);
    // groups of 2: 20 groups, three below 1: (1 + 0.5) / 2 = 0.75, (0.5 + 0.75) / 2 = 0.625, (0.75 + 1) / 2 = 0.875;
    // ⌊20 × 0.1⌋ = 2 lowest: (0.625 + 0.75) / 2 = 0.6875; lowest 0.625; mean (19 + 0.5 + 0.75) / 21 = 0.9642857143;
    // tail of 4: tokens 17–20, all 1. Margin: 19 × (e^-0.5 − e^-1.5 = 0.3834004996) + (e^-0.25 − e^-0.75 = 0.3064342304)
    // + 0, over 21 = 0.3614782725.
    const rows = Array.from({ length: 21 }, (_, index) => (index === 7 ? [-0.25, -0.75] : index === 8 ? [-0.75, -0.75] : [-0.5, -1.5]));
    const summary = summariseTokenConfidence(stored(rows), { groupWindow: 2, tailTokens: 4 });
    expect(summary.bottom10).toBe(0.6875);
    expect(summary.lowestGroup).toBe(0.625);
    expect(summary.mean).toBeCloseTo(0.9642857143, 9);
    expect(summary.tail).toBe(1);
    expect(summary.margin).toBeCloseTo(0.3614782725, 9);
  });

  it('has no signal for an answer of no tokens, and no margin with one logprob per token', () => {
    expect(summariseTokenConfidence({ k: 5, positions: 0, values: new Uint16Array(0) })).toEqual({
      tokens: 0, k: 5, groupWindow: 2048, tailTokens: 2048, mean: null, tail: null, bottom10: null, lowestGroup: null, margin: null,
    });
    const one = summariseTokenConfidence(stored([[-0.5], [-1]]));
    expect(one.margin).toBeNull();
    expect(one.mean).toBe(0.75);
  });
});

describe('stored logprobs', () => {
  it('are −logprob × 1024 rounded, capped at 64 nats, never negative', () => {
    expect(quantiseLogprob(-0.5)).toBe(512);
    expect(quantiseLogprob(-0.00048828125)).toBe(1); // half a step rounds up
    expect(quantiseLogprob(-1e-9)).toBe(0);
    expect(quantiseLogprob(-0)).toBe(0);
    expect(quantiseLogprob(-70)).toBe(LOGPROB_CAP);
    expect(quantiseLogprob(-9999)).toBe(LOGPROB_CAP); // vLLM's stand-in for −∞
  });

  it('refuses rows of the wrong length, out of order, or above 0', () => {
    expect(TokenLogprobs.safeParse({ k: 2, positions: [[-0.1]] }).error?.issues[0]?.message).toBe('1 logprobs where k is 2');
    expect(TokenLogprobs.safeParse({ k: 2, positions: [[-2, -0.1]] }).error?.issues[0]?.message).toBe('logprobs must be most likely first');
    expect(TokenLogprobs.safeParse({ k: 1, positions: [[0.3]] }).success).toBe(false);
  });
});

const Fixture = z.object({
  cases: z.array(
    z.object({
      k: z.number(),
      groupWindow: z.number(),
      tailTokens: z.number(),
      stored: z.array(z.number()),
      expected: z.object({ mean: z.number(), tail: z.number(), bottom10: z.number(), lowestGroup: z.number(), margin: z.number().nullable() }),
    }),
  ),
});

describe('DeepConf signals against numpy (fixtures/make-deepconf-fixture.py, the authors’ analysis code’s rules)', () => {
  const fixture = Fixture.parse(JSON.parse(readFileSync(new URL('./fixtures/deepconf-values.json', import.meta.url), 'utf8')));
  it.each(fixture.cases.map((entry) => [`k = ${entry.k}, ${entry.stored.length / entry.k} tokens, window ${entry.groupWindow}, tail ${entry.tailTokens}`, entry] as const))('%s', (_, entry) => {
    const summary = summariseTokenConfidence(
      { k: entry.k, positions: entry.stored.length / entry.k, values: Uint16Array.from(entry.stored) },
      { groupWindow: entry.groupWindow, tailTokens: entry.tailTokens },
    );
    for (const key of ['mean', 'tail', 'bottom10', 'lowestGroup'] as const) expect(summary[key]).toBeCloseTo(entry.expected[key], 10);
    if (entry.expected.margin === null) expect(summary.margin).toBeNull();
    else expect(summary.margin).toBeCloseTo(entry.expected.margin, 10);
  });
});

describe('DeepConf signals as routing scores', () => {
  const summary = summariseTokenConfidence(
    stored([
      [-0.25, -2],
      [-0.5, -1],
      [-0.125, -3],
    ]),
    { groupWindow: 2, tailTokens: 2 },
  );
  const record = testRunRecord({ runId: 'slm', problemId: 'p1', generation: { tokenConfidence: summary } });

  it('reads each signal of the record’s summary', () => {
    expect(routingScore(record, 'token-confidence.mean')).toBe(summary.mean);
    expect(routingScore(record, 'token-confidence.tail')).toBe(1.15625);
    expect(routingScore(record, 'token-confidence.bottom-10')).toBe(0.9375);
    expect(routingScore(record, 'token-confidence.lowest-group')).toBe(0.9375);
    expect(routingScore(record, 'token-margin')).toBe(summary.margin);
    for (const score of ['token-confidence.mean', 'token-confidence.bottom-10', 'token-margin']) expect(RoutingScore.parse(score)).toBe(score);
  });

  it('fails clearly for a run without token logprobs, and says why an answer has no score', () => {
    expect(() => routingScore(testRunRecord({ runId: 'seed', problemId: 'p9' }), 'token-confidence.tail')).toThrow(
      /score "token-confidence.tail": run "seed" has no token logprobs for problem p9 \(no logprobs sidecar, logprobs\/index.jsonl/,
    );
    const empty = testRunRecord({ generation: { tokenConfidence: summariseTokenConfidence({ k: 1, positions: 0, values: new Uint16Array(0) }) } });
    expect(scoreOfRecord(empty, 'token-confidence.mean')).toEqual({ value: null, reason: 'no token-confidence.mean: the answer has no tokens' });
    const oneLogprob = testRunRecord({ generation: { tokenConfidence: summariseTokenConfidence(stored([[-0.5]])) } });
    expect(scoreOfRecord(oneLogprob, 'token-margin').reason).toBe('no token-margin: it needs two logprobs per token, the run recorded k = 1');
  });

  it('is carried by a record, which refuses raw token logprobs', () => {
    expect(RunRecord.parse(JSON.parse(JSON.stringify(record))).generation.tokenConfidence).toEqual(summary);
    const raw = { ...record, generation: { ...record.generation, tokenLogprobs: { k: 1, positions: [[-0.1]] } } };
    expect(RunRecord.safeParse(raw).error?.issues[0]?.message).toMatch(/Unrecognized key: "tokenLogprobs"/);
  });
});
