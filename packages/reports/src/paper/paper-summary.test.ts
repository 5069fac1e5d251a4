import { describe, expect, it } from 'vitest';
import { matchesPublished, usd6 } from './paper-summary.js';

describe('matchesPublished', () => {
  it.each([
    [0.03225, '0.03', true],
    [0.100364, '0.10', true],
    [2.478696, '2.48', true],
    [0.018103, '0.01', false],
    [67.8, '67.8', true],
    [72, '72', true],
    [83.8, '83.6', false],
  ])('%d against published %s: %s', (value, published, expected) => {
    expect(matchesPublished(value, published)).toBe(expected);
  });

  it('prints dollars to 6 decimals rounding half up on the exact value', () => {
    expect(usd6(0.1003635)).toBe('0.100364');
  });
});
