import { usdFixed } from '@confide/metrics';

/** How the ablation report prints a figure. An undefined one (NaN from the metrics, or null) prints as a dash; the section says why in a sentence. */
export const UNDEFINED = '–';
export const defined = (value: number | null): value is number => value !== null && Number.isFinite(value);
export const pct = (fraction: number | null) => (defined(fraction) ? (fraction * 100).toFixed(1) : UNDEFINED);
export const usd = (value: number | null, decimals = 6) => (defined(value) ? usdFixed(value, decimals) : UNDEFINED);
export const fixed = (value: number | null, digits: number) => (defined(value) ? value.toFixed(digits) : UNDEFINED);
export const ci = (interval: { lower: number | null; upper: number | null }, format: (value: number) => string) =>
  defined(interval.lower) && defined(interval.upper) ? `[${format(interval.lower)}, ${format(interval.upper)}]` : UNDEFINED;
export const rate = (value: number | null) => (defined(value) ? `${(value * 100).toFixed(1)}%` : UNDEFINED);
