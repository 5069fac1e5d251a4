import { InvalidArgumentError } from 'commander';

/** commander parser for a number in [0, 1] (a score, a share). */
export function parseUnitInterval(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 1) throw new InvalidArgumentError(`expected a number in [0, 1], got "${value}"`);
  return number;
}
