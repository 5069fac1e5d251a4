import { z } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { describeOptions, formatOption } from './plugin-options.js';

describe('describeOptions', () => {
  it('gives each option its type and its default, or whether it is optional or required, in the schema order', () => {
    const schema = z.strictObject({
      maxOutputTokens: z.number().int().positive().default(600).describe('the longest answer kept'),
      direction: z.enum(['keep-high', 'keep-low']).default('keep-high'),
      score: z.string(),
      seed: z.number().int().optional(),
      tokens: z.array(z.enum(['a', 'b'])).default(['a']),
    });
    const [options] = describeOptions(schema)!;
    expect(options).toEqual([
      { name: 'maxOutputTokens', type: 'integer', presence: 'default', default: 600, description: 'the longest answer kept' },
      { name: 'direction', type: '"keep-high" | "keep-low"', presence: 'default', default: 'keep-high' },
      { name: 'score', type: 'string', presence: 'required' },
      { name: 'seed', type: 'integer', presence: 'optional' },
      { name: 'tokens', type: '("a" | "b")[]', presence: 'default', default: ['a'] },
    ]);
    expect(options!.map((option) => formatOption(option))).toEqual(['maxOutputTokens: integer = 600', 'direction: "keep-high" | "keep-low" = "keep-high"', 'score: string (required)', 'seed?: integer', 'tokens: ("a" | "b")[] = ["a"]']);
  });

  it('reads through a refinement or transform, lists a union of objects by alternative, and says undefined for anything else', () => {
    expect(describeOptions(z.strictObject({ a: z.number().default(1) }).transform((options) => options))).toEqual([[{ name: 'a', type: 'number', presence: 'default', default: 1 }]]);
    const union = z.discriminatedUnion('mode', [z.strictObject({ mode: z.literal('replay').default('replay') }), z.strictObject({ mode: z.literal('live'), client: z.string().default('judge') })]);
    expect(describeOptions(union)).toEqual([
      [{ name: 'mode', type: '"replay"', presence: 'default', default: 'replay' }],
      [
        { name: 'mode', type: '"live"', presence: 'required' },
        { name: 'client', type: 'string', presence: 'default', default: 'judge' },
      ],
    ]);
    expect(describeOptions(z.string())).toBeUndefined();
    expect(describeOptions({ safeParse: () => ({ success: true }) })).toBeUndefined();
  });

  it('abridges a long default on request', () => {
    expect(formatOption({ name: 'prompt', type: 'object', presence: 'default', default: { system: 'a long system prompt' } }, 10)).toBe('prompt: object = {…}');
    expect(formatOption({ name: 'stop', type: 'string[]', presence: 'default', default: ['<|c_math|>', '<|u_math|>'] }, 10)).toBe('stop: string[] = […]');
  });
});
