import { InvalidInputError } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { hasSeedColumns, mapSeedResponse, mapSeedRows } from './seed-sft-example.js';

describe.each([
  ['confident suffix', 'so $\\boxed{2}$. <C_MATH>', 'so $\\boxed{2}$.<|c_math|>', '<|c_math|>'],
  ['uncertain suffix', 'so $\\boxed{54}$. <U_MATH>', 'so $\\boxed{54}$.<|u_math|>', '<|u_math|>'],
  ['trailing whitespace and newline', 'x = 3 <C_MATH>  \n', 'x = 3<|c_math|>', '<|c_math|>'],
  ['two spaces before the tag', 'x = 3  <U_MATH>', 'x = 3<|u_math|>', '<|u_math|>'],
  ['no space before the tag', 'x = 3<C_MATH>', 'x = 3<|c_math|>', '<|c_math|>'],
  ['a tag mid-text is not the suffix', 'I wrote <U_MATH> earlier, but now <C_MATH>', 'I wrote <U_MATH> earlier, but now<|c_math|>', '<|c_math|>'],
])('mapSeedResponse: %s', (_name, input, response, token) => {
  it('moves the suffix to the Confide token', () => {
    expect(mapSeedResponse(input)).toEqual({ response, confidenceToken: token });
  });
});

describe.each([['no tag at all'], ['lower case <c_math>'], ['<C_MATH> then more text'], ['already mapped <|c_math|>']])(
  'mapSeedResponse without a seed suffix: %s',
  (input) => {
    it('returns undefined', () => expect(mapSeedResponse(input)).toBeUndefined());
  },
);

describe('mapSeedRows', () => {
  const rows = [
    { question: 'q1', tagged_response: 'a1 <C_MATH>', check: true },
    { question: 'q2', tagged_response: 'a2 <U_MATH>', check: 'False' },
    { question: 'q3', tagged_response: 'a3 <U_MATH>' },
  ];

  it('maps every row, with the check column as `correct` when present', () => {
    expect(mapSeedRows(rows, 'seed.parquet')).toEqual([
      { question: 'q1', response: 'a1<|c_math|>', confidenceToken: '<|c_math|>', correct: true },
      { question: 'q2', response: 'a2<|u_math|>', confidenceToken: '<|u_math|>', correct: false },
      { question: 'q3', response: 'a3<|u_math|>', confidenceToken: '<|u_math|>' },
    ]);
  });

  it.each([
    [{ question: 'q', tagged_response: 'no tag' }, 'tagged_response', /does not end with " <C_MATH>" or " <U_MATH>"/],
    [{ question: 7, tagged_response: 'a <C_MATH>' }, 'question', /is not a string/],
    [{ question: 'q', tagged_response: 'a <C_MATH>', check: 'maybe' }, 'check', /"maybe", not a boolean/],
  ])('names file, row and field of a bad row (%o)', (bad, field, problem) => {
    const error = (() => {
      try {
        mapSeedRows([rows[0]!, bad], 'owner/seed/data/train.parquet');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).row).toBe(2);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as InvalidInputError).message).toMatch(/^owner\/seed\/data\/train\.parquet, row 2/);
    expect((error as InvalidInputError).message).toMatch(problem);
  });

  it('recognises the seed columns only when both are there', () => {
    expect(hasSeedColumns(rows)).toBe(true);
    expect(hasSeedColumns([{ question: 'q', response: 'r' }])).toBe(false);
    expect(hasSeedColumns([])).toBe(false);
  });
});
