import { describe, expect, it } from 'vitest';
import { parseVerifierReply } from './model-verifier.js';

describe('parseVerifierReply: the strict A/B/C reading', () => {
  it.each([
    ['A', null, 'correct'],
    ['B', 'STOP', 'incorrect'],
    ['C', null, 'invalid'],
    [' **A** ', null, 'correct'],
    ['Answer: B', null, 'incorrect'],
    ['\\boxed{A}', null, 'correct'],
    ['"C".', null, 'invalid'],
    ['A', 'length', 'invalid'],
    ['A', 'MAX_TOKENS', 'invalid'],
    ['A because the values match', null, null],
    ['a', null, null],
    ['Maybe', null, null],
    ['', null, null],
  ] as const)('%j (finish %s) -> %s', (reply, finish, expected) => {
    expect(parseVerifierReply(reply, finish)).toBe(expected);
  });
});
