import { ConfidenceToken, CONFIDENT_TOKEN, InvalidInputError, UNCERTAIN_TOKEN } from '@confide/core';
import { z } from 'zod';

/** A training example with its confidence token: the response ends with `<|c_math|>` or `<|u_math|>`. */
export const ConfidenceSftExample = z.strictObject({
  question: z.string(),
  response: z.string(),
  confidenceToken: ConfidenceToken,
  /** Whether the response was graded correct (the seed's `check` column), when the dataset says. */
  correct: z.boolean().optional(),
});
export type ConfidenceSftExample = z.infer<typeof ConfidenceSftExample>;

/** The seed's tags as published in `Akirayasha/math-20`, and the tokens Confide trains with. */
const SEED_TAGS: readonly { tag: string; token: ConfidenceToken }[] = [
  { tag: '<C_MATH>', token: CONFIDENT_TOKEN },
  { tag: '<U_MATH>', token: UNCERTAIN_TOKEN },
];

/** Whether rows have the seed's annotated columns (`question`, `tagged_response`). */
export function hasSeedColumns(rows: readonly Record<string, unknown>[]): boolean {
  return rows.length > 0 && 'question' in rows[0]! && 'tagged_response' in rows[0]!;
}

/**
 * Maps a seed response: its ` <C_MATH>` / ` <U_MATH>` suffix (the space before it included, trailing whitespace
 * ignored) becomes `<|c_math|>` / `<|u_math|>`. Returns undefined when the response ends with neither.
 */
export function mapSeedResponse(taggedResponse: string): { response: string; confidenceToken: ConfidenceToken } | undefined {
  const trimmed = taggedResponse.trimEnd();
  for (const { tag, token } of SEED_TAGS) {
    if (trimmed.endsWith(tag)) return { response: trimmed.slice(0, -tag.length).trimEnd() + token, confidenceToken: token };
  }
  return undefined;
}

function parseCheck(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'True' || value === 'true') return true;
  if (value === 'False' || value === 'false') return false;
  return undefined;
}

/**
 * Turns the seed's annotated rows (`question`, `tagged_response`, optional `check`) into training examples with
 * Confide's tokens. A row whose response does not end with a seed tag, or whose columns have the wrong type, throws one
 * InvalidInputError naming the file, the 1-based row and the field.
 */
export function mapSeedRows(rows: readonly Record<string, unknown>[], file: string): ConfidenceSftExample[] {
  return rows.map((row, index) => {
    const question = row['question'];
    const tagged = row['tagged_response'];
    if (typeof question !== 'string') throw new InvalidInputError({ file, row: index + 1, field: 'question', problem: 'is not a string' });
    if (typeof tagged !== 'string') throw new InvalidInputError({ file, row: index + 1, field: 'tagged_response', problem: 'is not a string' });
    const mapped = mapSeedResponse(tagged);
    if (mapped === undefined) {
      throw new InvalidInputError({
        file,
        row: index + 1,
        field: 'tagged_response',
        problem: `does not end with " <C_MATH>" or " <U_MATH>" (ends with ${JSON.stringify(tagged.trimEnd().slice(-20))})`,
      });
    }
    const correct = row['check'] === undefined || row['check'] === null ? undefined : parseCheck(row['check']);
    if (row['check'] !== undefined && row['check'] !== null && correct === undefined) {
      throw new InvalidInputError({ file, row: index + 1, field: 'check', problem: `is ${JSON.stringify(row['check'])}, not a boolean` });
    }
    return { question, ...mapped, ...(correct === undefined ? {} : { correct }) };
  });
}
