import { InvalidConfigError } from '@confide/core';

/** An amount in US dollars given on the command line (e.g. `--budget 2.5`); anything else names the flag. */
export function parseUsd(value: string, flag: string): number {
  const amount = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(amount)) throw new InvalidConfigError(`${flag}: "${value}" is not an amount in US dollars`);
  return amount;
}
