import { describe, expect, it } from 'vitest';
import { fitTemperatureScaling, predictTemperature, temperatureLogit } from './temperature-scaling.js';
import { recalibrationValues } from './testing/recalibration-values.js';

describe('fitTemperatureScaling', () => {
  it('by hand: logits ±1, right 3 of 4 at +1 and 1 of 4 at −1 → σ(1/T) = 3/4, T = 1/ln 3', () => {
    const fit = fitTemperatureScaling([1, 1, 1, 1, -1, -1, -1, -1], [1, 1, 1, 0, 1, 0, 0, 0]);
    expect(fit.optimum).toBe('interior');
    expect(fit.temperature).toBeCloseTo(1 / Math.log(3), 12);
    expect(predictTemperature(fit, 1)).toBeCloseTo(0.75, 12);
    expect(predictTemperature(fit, 0)).toBe(0.5);
  });

  it.each(recalibrationValues.temperature.map((reference) => [reference.input, reference] as const))('matches scipy on %s inputs', (input, reference) => {
    const fit = fitTemperatureScaling(reference.scores, reference.labels, { input });
    expect(fit.temperature / reference.temperature - 1).toBeCloseTo(0, 10);
  });

  it('takes a probability through its logit, 0 and 1 clamped to finite logits', () => {
    expect(temperatureLogit(0.75, 'probability')).toBeCloseTo(Math.log(3), 14);
    expect(temperatureLogit(1, 'probability')).toBeCloseTo(Math.log((1 - 1e-9) / 1e-9), 6);
    expect(() => fitTemperatureScaling([1.5], [1], { input: 'probability' })).toThrow(/probability in \[0, 1\]/);
  });

  it('says when the score carries no signal (T = ∞, every prediction 1/2) or separates the answers', () => {
    const flat = fitTemperatureScaling([1, -1], [0, 1]);
    expect(flat).toMatchObject({ temperature: Number.POSITIVE_INFINITY, optimum: 'no-signal' });
    expect(predictTemperature(flat, 3)).toBe(0.5);
    expect(fitTemperatureScaling([2, -2], [1, 0]).optimum).toBe('separated');
  });
});
