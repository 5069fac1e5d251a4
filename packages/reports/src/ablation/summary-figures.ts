import { z } from 'zod';

/**
 * A computed figure: a finite number, or null where it is undefined (an AUROC with one class only, a kept error rate
 * with nothing kept). The metrics return NaN there; summary.json holds null, never NaN.
 */
export const Figure = z.preprocess((value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), z.number().nullable());
export const Interval = z.strictObject({ lower: Figure, upper: Figure });
