import type { BigNumber, Complex, ConstantNode, Fraction, FunctionNode, MathNode, OperatorNode, ParenthesisNode, SymbolNode } from 'mathjs';
import { safeMath } from './safe-math.js';

/**
 * Evaluation of allow-listed mathjs trees in four number systems: exact fractions (mathjs Fraction, BigInt inside),
 * floating point, complex (mathjs Complex) and 50-digit decimals (mathjs BigNumber). Every operation that could grow
 * without bound is guarded, so `10^{10^{10}}` or `(10^{6})!` give up at once (no exact value) instead of running.
 */

/** Bounds of exact arithmetic: results larger than this have no exact value (the float path takes over). */
export const EXACT_LIMITS = { maxBits: 100_000, maxExponent: 100_000, maxFactorial: 5_000, maxRootIndex: 64 } as const;

function bitLength(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  return magnitude === 0n ? 0 : magnitude.toString(16).length * 4;
}

function fraction(numerator: bigint, denominator = 1n): Fraction {
  return safeMath().math.fraction(numerator, denominator) as Fraction;
}

function signed(value: Fraction): { numerator: bigint; denominator: bigint } {
  return { numerator: BigInt(value.s) * BigInt(value.n), denominator: BigInt(value.d) };
}

function withinLimits(value: Fraction): Fraction | null {
  return bitLength(BigInt(value.n)) + bitLength(BigInt(value.d)) > EXACT_LIMITS.maxBits ? null : value;
}

function isInteger(value: Fraction): boolean {
  return BigInt(value.d) === 1n;
}

/** The exact integer `root`-th root of a non-negative integer, or null when it is not a perfect power. */
function integerRoot(value: bigint, root: number): bigint | null {
  if (value < 0n) return null;
  if (value < 2n) return value;
  const rootBig = BigInt(root);
  let guess = 1n << BigInt(Math.ceil(bitLength(value) / root) + 1);
  for (;;) {
    const next = ((rootBig - 1n) * guess + value / guess ** (rootBig - 1n)) / rootBig;
    if (next >= guess) break;
    guess = next;
  }
  return guess ** rootBig === value ? guess : null;
}

/** The exact `root`-th root of a fraction, or null (odd roots of negatives are negative). */
function fractionRoot(value: Fraction, root: number): Fraction | null {
  if (!Number.isInteger(root) || root < 1 || root > EXACT_LIMITS.maxRootIndex) return null;
  const { numerator, denominator } = signed(value);
  const negative = numerator < 0n;
  if (negative && root % 2 === 0) return null;
  const top = integerRoot(negative ? -numerator : numerator, root);
  const bottom = integerRoot(denominator, root);
  if (top === null || bottom === null) return null;
  return fraction(negative ? -top : top, bottom);
}

function factorialBig(n: bigint): bigint {
  let product = 1n;
  for (let k = 2n; k <= n; k++) product *= k;
  return product;
}

function exactPower(base: Fraction, exponent: Fraction): Fraction | null {
  const { numerator: p, denominator: q } = signed(exponent);
  if (q > BigInt(EXACT_LIMITS.maxRootIndex)) return null;
  const rooted = q === 1n ? base : fractionRoot(base, Number(q));
  if (rooted === null) return null;
  const magnitude = p < 0n ? -p : p;
  if (magnitude > BigInt(EXACT_LIMITS.maxExponent)) return null;
  const size = Math.max(bitLength(BigInt(rooted.n)), bitLength(BigInt(rooted.d)), 1);
  if (size * Number(magnitude) > EXACT_LIMITS.maxBits) return null;
  if (BigInt(rooted.n) === 0n && p < 0n) return null;
  return rooted.pow(fraction(p));
}

function exactFunction(name: string, args: (Fraction | null)[]): Fraction | null {
  if (args.some((argument) => argument === null)) return null;
  const values = args as Fraction[];
  const math = safeMath().math;
  const [first, second] = values;
  switch (name) {
    case 'sqrt':
      return values.length === 1 ? fractionRoot(first!, 2) : null;
    case 'nthRoot':
      return values.length === 2 && isInteger(second!) ? fractionRoot(first!, Number(signed(second!).numerator)) : null;
    case 'abs':
      return math.abs(first!) as Fraction;
    case 'floor':
      return math.floor(first!) as Fraction;
    case 'ceil':
      return math.ceil(first!) as Fraction;
    case 'factorial': {
      if (!isInteger(first!)) return null;
      const n = signed(first!).numerator;
      if (n < 0n || n > BigInt(EXACT_LIMITS.maxFactorial)) return null;
      return fraction(factorialBig(n));
    }
    case 'combinations': {
      if (values.length !== 2 || !isInteger(first!) || !isInteger(second!)) return null;
      const n = signed(first!).numerator;
      const k = signed(second!).numerator;
      if (n < 0n || k < 0n || k > n || n > BigInt(EXACT_LIMITS.maxFactorial)) return null;
      let result = 1n;
      for (let index = 1n; index <= k; index++) result = (result * (n - k + index)) / index;
      return fraction(result);
    }
    case 'gcd':
    case 'lcm': {
      if (!values.every(isInteger)) return null;
      let result = signed(values[0]!).numerator;
      for (const value of values.slice(1)) {
        let a = result < 0n ? -result : result;
        let b = signed(value).numerator;
        b = b < 0n ? -b : b;
        const product = a * b;
        while (b !== 0n) [a, b] = [b, a % b];
        result = name === 'gcd' ? a : a === 0n ? 0n : product / a;
      }
      return fraction(result);
    }
    default:
      return null;
  }
}

/**
 * The exact rational value of a tree, or null when it has none or it would be too large: variables, π, e, i,
 * irrational roots, transcendental functions, results over the size limits, division by zero.
 */
export function exactValue(node: MathNode, memo = new Map<MathNode, Fraction | null>()): Fraction | null {
  if (memo.has(node)) return memo.get(node)!;
  const math = safeMath().math;
  let value: Fraction | null = null;
  switch (node.type) {
    case 'ConstantNode':
      value = (node as ConstantNode<Fraction>).value;
      break;
    case 'ParenthesisNode':
      value = exactValue((node as ParenthesisNode).content, memo);
      break;
    case 'OperatorNode': {
      const operator = node as OperatorNode;
      const args = operator.args.map((argument) => exactValue(argument, memo));
      if (args.some((argument) => argument === null)) break;
      const [a, b] = args as Fraction[];
      switch (operator.fn) {
        case 'add':
          value = withinLimits(math.add(a!, b!) as Fraction);
          break;
        case 'subtract':
          value = withinLimits(math.subtract(a!, b!) as Fraction);
          break;
        case 'multiply':
          value = withinLimits(math.multiply(a!, b!) as Fraction);
          break;
        case 'divide':
          value = BigInt(b!.n) === 0n ? null : withinLimits(math.divide(a!, b!) as Fraction);
          break;
        case 'unaryMinus':
          value = math.unaryMinus(a!) as Fraction;
          break;
        case 'unaryPlus':
          value = a!;
          break;
        case 'pow':
          value = exactPower(a!, b!);
          break;
        case 'factorial':
          value = exactFunction('factorial', [a!]);
          break;
      }
      break;
    }
    case 'FunctionNode': {
      const call = node as FunctionNode;
      value = withinLimitsOrNull(exactFunction(call.fn.name, call.args.map((argument) => exactValue(argument, memo))));
      break;
    }
  }
  memo.set(node, value);
  return value;
}

function withinLimitsOrNull(value: Fraction | null): Fraction | null {
  return value === null ? null : withinLimits(value);
}

/** A fraction as the nearest float, also when numerator and denominator are far beyond 2^1024. */
export function fractionToNumber(value: Fraction): number {
  let numerator = BigInt(value.n);
  let denominator = BigInt(value.d);
  const shift = Math.max(bitLength(numerator), bitLength(denominator)) - 1000;
  if (shift > 0) {
    numerator >>= BigInt(shift);
    denominator >>= BigInt(shift);
  }
  return (Number(value.s) * Number(numerator)) / Number(denominator);
}

/** Whether a rational value has a terminating decimal expansion (its denominator is 2^a·5^b). */
export function isTerminatingDecimal(value: Fraction): boolean {
  let denominator = BigInt(value.d);
  while (denominator % 2n === 0n) denominator /= 2n;
  while (denominator % 5n === 0n) denominator /= 5n;
  return denominator === 1n;
}

// ---- compiled evaluation in a number system ------------------------------------------------------------------

interface NumberSystem<T> {
  fromFraction(value: Fraction): T;
  constant(name: string): T;
  invalid(): T;
  operator(fn: string, args: T[]): T;
  call(name: string, args: T[]): T;
}

export type Evaluate<T> = (variables: readonly T[]) => T;

function compileWith<T>(node: MathNode, system: NumberSystem<T>, variables: ReadonlyMap<string, number>): Evaluate<T> {
  switch (node.type) {
    case 'ConstantNode': {
      const value = system.fromFraction((node as ConstantNode<Fraction>).value);
      return () => value;
    }
    case 'ParenthesisNode':
      return compileWith((node as ParenthesisNode).content, system, variables);
    case 'SymbolNode': {
      const name = (node as SymbolNode).name;
      const index = variables.get(name);
      if (index !== undefined) return (values) => values[index]!;
      const value = system.constant(name);
      return () => value;
    }
    case 'OperatorNode': {
      const operator = node as OperatorNode;
      const args = operator.args.map((argument) => compileWith(argument, system, variables));
      const fn = operator.fn;
      return (values) => system.operator(fn, args.map((argument) => argument(values)));
    }
    case 'FunctionNode': {
      const call = node as FunctionNode;
      const args = call.args.map((argument) => compileWith(argument, system, variables));
      const name = call.fn.name;
      return (values) => system.call(name, args.map((argument) => argument(values)));
    }
    default:
      return () => system.invalid();
  }
}

// ---- floating point ----------------------------------------------------------------------------------------

const FLOAT_FACTORIALS: number[] = [1];
for (let n = 1; n <= 170; n++) FLOAT_FACTORIALS.push(FLOAT_FACTORIALS[n - 1]! * n);

function floatFactorial(n: number): number {
  if (Number.isInteger(n)) return n < 0 ? NaN : n > 170 ? Infinity : FLOAT_FACTORIALS[n]!;
  return n > 171 ? Infinity : (safeMath().math.gamma(n + 1) as number);
}

function floatGcd(a: number, b: number): number {
  let x = Math.abs(a);
  let y = Math.abs(b);
  while (y > 0) [x, y] = [y, x % y];
  return x;
}

const floatSystem: NumberSystem<number> = {
  fromFraction: fractionToNumber,
  constant: (name) => (name === 'pi' ? Math.PI : name === 'e' ? Math.E : name === 'Infinity' ? Infinity : NaN),
  invalid: () => NaN,
  operator(fn, [a = NaN, b = NaN]) {
    switch (fn) {
      case 'add':
        return a + b;
      case 'subtract':
        return a - b;
      case 'multiply':
        return a * b;
      case 'divide':
        return a / b;
      case 'pow':
        return Math.pow(a, b);
      case 'unaryMinus':
        return -a;
      case 'unaryPlus':
        return a;
      case 'factorial':
        return floatFactorial(a);
      default:
        return NaN;
    }
  },
  call(name, args) {
    const [x = NaN, y = NaN] = args;
    switch (name) {
      case 'sqrt':
        return Math.sqrt(x);
      case 'nthRoot':
        return x < 0 && Number.isInteger(y) && Math.abs(y) % 2 === 1 ? -Math.pow(-x, 1 / y) : Math.pow(x, 1 / y);
      case 'sin':
        return Math.sin(x);
      case 'cos':
        return Math.cos(x);
      case 'tan':
        return Math.tan(x);
      case 'sec':
        return 1 / Math.cos(x);
      case 'csc':
        return 1 / Math.sin(x);
      case 'cot':
        return Math.cos(x) / Math.sin(x);
      case 'asin':
        return Math.asin(x);
      case 'acos':
        return Math.acos(x);
      case 'atan':
        return Math.atan(x);
      case 'asec':
        return Math.acos(1 / x);
      case 'acsc':
        return Math.asin(1 / x);
      case 'acot':
        return x === 0 ? Math.PI / 2 : Math.atan(1 / x);
      case 'sinh':
        return Math.sinh(x);
      case 'cosh':
        return Math.cosh(x);
      case 'tanh':
        return Math.tanh(x);
      case 'log':
        return args.length === 2 ? Math.log(x) / Math.log(y) : Math.log(x);
      case 'log10':
        return Math.log10(x);
      case 'exp':
        return Math.exp(x);
      case 'abs':
        return Math.abs(x);
      case 'floor':
        return Math.floor(x);
      case 'ceil':
        return Math.ceil(x);
      case 'factorial':
        return floatFactorial(x);
      case 'combinations': {
        if (!Number.isInteger(x) || !Number.isInteger(y) || y < 0 || y > x) return NaN;
        let result = 1;
        for (let index = 1; index <= Math.min(y, x - y); index++) result = (result * (x - Math.min(y, x - y) + index)) / index;
        return result;
      }
      case 'gcd':
      case 'lcm': {
        if (!args.every(Number.isInteger)) return NaN;
        return args.reduce((a, b) => (name === 'gcd' ? floatGcd(a, b) : a === 0 || b === 0 ? 0 : Math.abs(a * b) / floatGcd(a, b)));
      }
      default:
        return NaN;
    }
  },
};

export function compileFloat(node: MathNode, variables: ReadonlyMap<string, number>): Evaluate<number> {
  return compileWith(node, floatSystem, variables);
}

// ---- complex ------------------------------------------------------------------------------------------------

function complexSystem(): NumberSystem<Complex> {
  const math = safeMath().math;
  const nan = math.complex(NaN, NaN);
  const real = (value: number): Complex => math.complex(value, 0);
  const isReal = (value: Complex): boolean => Math.abs(value.im) <= 1e-12 * Math.max(1, Math.abs(value.re));
  return {
    fromFraction: (value) => real(fractionToNumber(value)),
    constant: (name) => (name === 'i' ? math.complex(0, 1) : real(floatSystem.constant(name))),
    invalid: () => nan,
    operator(fn, [a = nan, b = nan]) {
      switch (fn) {
        case 'add':
          return math.add(a, b) as Complex;
        case 'subtract':
          return math.subtract(a, b) as Complex;
        case 'multiply':
          return math.multiply(a, b) as Complex;
        case 'divide':
          return math.divide(a, b) as Complex;
        case 'pow':
          return math.pow(a, b) as Complex;
        case 'unaryMinus':
          return math.unaryMinus(a) as Complex;
        case 'unaryPlus':
          return a;
        default:
          return isReal(a) ? real(floatSystem.operator(fn, [a.re])) : nan;
      }
    },
    call(name, args) {
      const [x = nan] = args;
      switch (name) {
        case 'sqrt':
        case 'sin':
        case 'cos':
        case 'tan':
        case 'sec':
        case 'csc':
        case 'cot':
        case 'asin':
        case 'acos':
        case 'atan':
        case 'sinh':
        case 'cosh':
        case 'tanh':
        case 'exp':
          return (math[name] as (value: Complex) => Complex)(x);
        case 'log':
          return args.length === 2 ? (math.divide(math.log(x), math.log(args[1]!)) as Complex) : (math.log(x) as Complex);
        case 'abs':
          return real(math.abs(x) as unknown as number);
        default:
          return args.every(isReal) ? real(floatSystem.call(name, args.map((argument) => argument.re))) : nan;
      }
    },
  };
}

export function compileComplex(node: MathNode, variables: ReadonlyMap<string, number>): Evaluate<Complex> {
  return compileWith(node, complexSystem(), variables);
}

// ---- 50-digit decimals ----------------------------------------------------------------------------------------

interface BigNumberClass {
  new (value: string | number): BigNumber;
  acos(value: number): BigNumber;
}

/** The Decimal class of the instance (50 significant digits). */
function bigNumberClass(): BigNumberClass {
  return safeMath().math.bignumber(0).constructor as unknown as BigNumberClass;
}

const BIG_TRIG_LIMIT = 1e4;
const BIG_EXP_LIMIT = 1e6;

function bigSystem(): NumberSystem<BigNumber> {
  const Big = bigNumberClass();
  const nan = new Big(NaN);
  const pi = Big.acos(-1);
  const e = new Big(1).exp();
  const bigInteger = (value: BigNumber): bigint | null => (value.isInteger() && value.abs().lt(1e7) ? BigInt(value.toFixed(0)) : null);
  return {
    fromFraction: (value) => new Big(String(BigInt(value.s) * BigInt(value.n))).div(String(value.d)),
    constant: (name) => (name === 'pi' ? pi : name === 'e' ? e : name === 'Infinity' ? new Big(Infinity) : nan),
    invalid: () => nan,
    operator(fn, [a = nan, b = nan]) {
      switch (fn) {
        case 'add':
          return a.plus(b);
        case 'subtract':
          return a.minus(b);
        case 'multiply':
          return a.times(b);
        case 'divide':
          return a.div(b);
        case 'pow':
          return b.abs().gt(1e9) ? nan : a.pow(b);
        case 'unaryMinus':
          return a.neg();
        case 'unaryPlus':
          return a;
        case 'factorial':
          return this.call('factorial', [a]);
        default:
          return nan;
      }
    },
    call(name, args) {
      const [x = nan, y = nan] = args;
      const trig = (compute: (value: BigNumber) => BigNumber): BigNumber => (x.abs().lt(BIG_TRIG_LIMIT) ? compute(x) : nan);
      switch (name) {
        case 'sqrt':
          return x.isNegative() ? nan : x.sqrt();
        case 'nthRoot': {
          const index = bigInteger(y);
          if (index === null || index === 0n) return nan;
          if (x.isNegative()) return index % 2n === 1n ? x.neg().pow(new Big(1).div(y)).neg() : nan;
          return x.pow(new Big(1).div(y));
        }
        case 'sin':
          return trig((value) => value.sin());
        case 'cos':
          return trig((value) => value.cos());
        case 'tan':
          return trig((value) => value.tan());
        case 'sec':
          return trig((value) => new Big(1).div(value.cos()));
        case 'csc':
          return trig((value) => new Big(1).div(value.sin()));
        case 'cot':
          return trig((value) => value.cos().div(value.sin()));
        case 'asin':
          return x.asin();
        case 'acos':
          return x.acos();
        case 'atan':
          return x.atan();
        case 'asec':
          return new Big(1).div(x).acos();
        case 'acsc':
          return new Big(1).div(x).asin();
        case 'acot':
          return x.isZero() ? pi.div(2) : new Big(1).div(x).atan();
        case 'sinh':
          return x.abs().lt(BIG_EXP_LIMIT) ? x.sinh() : nan;
        case 'cosh':
          return x.abs().lt(BIG_EXP_LIMIT) ? x.cosh() : nan;
        case 'tanh':
          return x.tanh();
        case 'log':
          return args.length === 2 ? x.ln().div(y.ln()) : x.ln();
        case 'log10':
          return x.log(10);
        case 'exp':
          return x.abs().lt(BIG_EXP_LIMIT) ? x.exp() : nan;
        case 'abs':
          return x.abs();
        case 'floor':
          return x.floor();
        case 'ceil':
          return x.ceil();
        default: {
          // integer functions: exact on integers, as big decimals
          const integers = args.map(bigInteger);
          if (integers.some((value) => value === null)) return nan;
          const exact = exactFunction(name, (integers as bigint[]).map((value) => fraction(value)));
          return exact === null ? nan : new Big(String(BigInt(exact.s) * BigInt(exact.n)));
        }
      }
    },
  };
}

export function compileBig(node: MathNode, variables: ReadonlyMap<string, number>): Evaluate<BigNumber> {
  return compileWith(node, bigSystem(), variables);
}

/** Converts a float to a 50-digit decimal (for evaluating at the same random point). */
export function bigFromNumber(value: number): BigNumber {
  const Big = bigNumberClass();
  return new Big(value);
}
