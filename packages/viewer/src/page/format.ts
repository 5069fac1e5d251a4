export const percent = (value: number | null, digits = 1): string => (value === null ? '—' : `${(value * 100).toFixed(digits)}%`);
export const usd = (value: number, digits = 4): string => `$${value.toFixed(digits)}`;
export const count = (value: number): string => value.toLocaleString('en-US');
export const milliseconds = (value: number | null): string => (value === null ? '—' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
