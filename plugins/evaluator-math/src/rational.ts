import { canonicalDecimal, type Expr } from './expression.js';

/** An exact rational number with BigInt parts, reduced, denominator positive. */
export interface Rational {
  numerator: bigint;
  denominator: bigint;
}

/** Literals longer than this are not evaluated exactly on the fast path. */
const MAX_LITERAL_DIGITS = 400;

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function rational(numerator: bigint, denominator = 1n): Rational {
  if (denominator === 0n) throw new RangeError('zero denominator');
  const sign = denominator < 0n ? -1n : 1n;
  const divisor = gcd(numerator, denominator) || 1n;
  return { numerator: (sign * numerator) / divisor, denominator: (sign * denominator) / divisor };
}

function fromDecimal(text: string): Rational {
  const canonical = canonicalDecimal(text);
  const [integer = '0', fraction = ''] = canonical.split('.');
  return rational(BigInt(integer + fraction), 10n ** BigInt(fraction.length));
}

/**
 * The exact value of an expression made of numeric literals and + − × ÷ only (`\frac{3}{4}`, `-0.75`, `1\frac12`),
 * or null (anything else, division by zero, a literal of more than 400 digits). Cost is bounded by the input length,
 * so this runs on the fast path without mathjs.
 */
export function literalValue(expr: Expr): Rational | null {
  switch (expr.type) {
    case 'number':
      return expr.value.length > MAX_LITERAL_DIGITS ? null : fromDecimal(expr.value);
    case 'repeating':
      return expr.numerator.length > MAX_LITERAL_DIGITS ? null : rational(BigInt(expr.numerator), BigInt(expr.denominator));
    case 'negate': {
      const inner = literalValue(expr.argument);
      return inner === null ? null : { numerator: -inner.numerator, denominator: inner.denominator };
    }
    case 'operator': {
      if (!['+', '-', '*', '/'].includes(expr.operator)) return null;
      const left = literalValue(expr.left);
      const right = literalValue(expr.right);
      if (left === null || right === null) return null;
      switch (expr.operator) {
        case '+':
          return rational(left.numerator * right.denominator + right.numerator * left.denominator, left.denominator * right.denominator);
        case '-':
          return rational(left.numerator * right.denominator - right.numerator * left.denominator, left.denominator * right.denominator);
        case '*':
          return rational(left.numerator * right.numerator, left.denominator * right.denominator);
        default:
          return right.numerator === 0n ? null : rational(left.numerator * right.denominator, left.denominator * right.numerator);
      }
    }
    default:
      return null;
  }
}

export function rationalsEqual(a: Rational, b: Rational): boolean {
  return a.numerator === b.numerator && a.denominator === b.denominator;
}

function bitLength(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  return magnitude === 0n ? 0 : magnitude.toString(16).length * 4;
}

/** The nearest float, also for parts far beyond 2^1024. */
export function rationalToNumber(value: Rational): number {
  let { numerator, denominator } = value;
  const shift = Math.max(bitLength(numerator), bitLength(denominator)) - 1000;
  if (shift > 0) {
    numerator >>= BigInt(shift);
    denominator >>= BigInt(shift);
  }
  return Number(numerator) / Number(denominator);
}

/** Whether the decimal expansion terminates (the denominator is 2^a·5^b). */
export function isTerminating(value: Rational): boolean {
  let denominator = value.denominator;
  while (denominator % 2n === 0n) denominator /= 2n;
  while (denominator % 5n === 0n) denominator /= 5n;
  return denominator === 1n;
}
