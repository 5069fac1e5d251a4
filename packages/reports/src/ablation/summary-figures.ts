import { z } from 'zod';

/**
 * A computed figure: a finite number, or null where it is undefined (an AUROC with one class only, a kept error rate
 * with nothing kept). The metrics return NaN there; summary.json holds null, never NaN.
 *
 * Its input type is `number` (what the engine computes, NaN included), so the results' types inferred with z.input
 * keep plain numbers; at run time it also reads the null a written summary.json holds, so the same schema reads one back.
 */
export const Figure = z
  .custom<number>((value) => value === null || typeof value === 'number', { message: 'expected a number or null' })
  .transform((value): number | null => (Number.isFinite(value) ? value : null));
export const Interval = z.strictObject({ lower: Figure, upper: Figure });
