import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeZodError } from './errors.js';

const Sweep = z.strictObject({
  routers: z.array(z.strictObject({ id: z.string(), sweep: z.strictObject({ option: z.string(), values: z.union([z.literal('distinct'), z.array(z.number()).min(2)]) }) })),
  bootstrap: z.strictObject({ resamples: z.number() }),
});

function describe_(value: unknown) {
  const parsed = Sweep.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return describeZodError(parsed.error, Sweep);
}

describe('describeZodError', () => {
  it('names the item of a list inside a union that is wrong, not "Invalid input" on the union', () => {
    const described = describe_({ routers: [{ id: 'random', sweep: { option: 'rate', values: [0.1, 0.2, 'half'] } }], bootstrap: { resamples: 10 } });
    expect(described.key).toBe('routers.0.sweep.values.2');
    expect(described.message).toMatch(/expected number, received string/);
  });

  it('a typo of a required key names both', () => {
    const described = describe_({ routers: [], bootsrap: { resamples: 10 } });
    expect(described).toEqual({ key: 'bootsrap', message: 'unknown key; did you mean "bootstrap"? (the required key "bootstrap" is missing)' });
  });
});
