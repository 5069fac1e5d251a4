import type { BigNumber, Complex, Fraction, MathNode } from 'mathjs';
import {
  containsNode,
  countNodes,
  freeSymbols,
  infinitySign,
  isDecimalLiteral,
  mathjsSymbolName,
  printExpr,
  substitute,
  toMathjsSyntax,
  type Expr,
} from './expression.js';
import type { EquivalenceOptions } from './math-evaluator-options.js';
import { bigFromNumber, compileBig, compileComplex, compileFloat, exactValue, type Evaluate } from './numeric-evaluation.js';
import { isTerminating, literalValue, rational, rationalsEqual, rationalToNumber, type Rational } from './rational.js';
import { parseSafe, safeMath, symbolicallyZero } from './safe-math.js';
import { different, equivalent, NeedsWorkerError, type Verdict } from './verdict.js';

export interface CompareContext {
  options: EquivalenceOptions;
  /** "cheap": only comparisons with a small bounded cost (in-thread); anything else throws NeedsWorkerError. */
  mode: 'cheap' | 'full';
  /** The symbols of the question in the order it names them (`Find $a$ and $b$` → a, b), when the evaluator has it. */
  labelOrder?: readonly string[];
}

/** Float agreement of two values: relative, with an absolute floor for values at zero. */
function close(a: number, b: number, tolerance: number): boolean {
  const difference = Math.abs(a - b);
  return difference <= tolerance * Math.max(Math.abs(a), Math.abs(b)) || difference <= 1e-12;
}

function closeComplex(a: Complex, b: Complex, tolerance: number): boolean {
  const difference = Math.hypot(a.re - b.re, a.im - b.im);
  return difference <= tolerance * Math.max(Math.hypot(a.re, a.im), Math.hypot(b.re, b.im)) || difference <= 1e-12;
}

function closeBig(a: BigNumber, b: BigNumber, tolerance: number): boolean {
  const difference = a.minus(b).abs();
  const scale = a.abs().gt(b.abs()) ? a.abs() : b.abs();
  return difference.lte(scale.times(tolerance)) || difference.lt(1e-40);
}

function finiteComplex(value: Complex): boolean {
  return Number.isFinite(value.re) && Number.isFinite(value.im);
}

/** Literals only (numbers, repeating decimals, + - × ÷): exact comparison costs time linear in their digits. */
function isLiteral(expr: Expr): boolean {
  return !containsNode(
    expr,
    (node) => !(node.type === 'number' || node.type === 'repeating' || node.type === 'negate' || (node.type === 'operator' && ['+', '-', '*', '/'].includes(node.operator))),
  );
}

function usesImaginaryUnit(expr: Expr): boolean {
  return containsNode(expr, (node) => node.type === 'constant' && node.name === 'i');
}

function containsDecimal(expr: Expr): boolean {
  return containsNode(expr, (node) => node.type === 'number' && node.value.includes('.') && !/\.0*$/.test(node.value));
}

/** `\frac{2}{4}`: a fraction of whole numbers that is not in lowest terms. */
function isUnsimplifiedFraction(expr: Expr): boolean {
  if (expr.type === 'negate') return isUnsimplifiedFraction(expr.argument);
  if (expr.type !== 'operator' || expr.operator !== '/' || expr.left.type !== 'number' || expr.right.type !== 'number') return false;
  if (!/^\d+$/.test(expr.left.value) || !/^\d+$/.test(expr.right.value)) return false;
  let a = BigInt(expr.left.value);
  let b = BigInt(expr.right.value);
  while (b !== 0n) [a, b] = [b, a % b];
  return a > 1n;
}

/** The printed tree with every exactly-evaluable subtree replaced by its value (`10^{10^{10}}` = `10^{10000000000}`). */
function printFolded(node: MathNode, memo: Map<MathNode, Fraction | null>): string {
  const value = exactValue(node, memo);
  if (value !== null) return `[${value.s < 0 ? '-' : ''}${value.n}/${value.d}]`;
  switch (node.type) {
    case 'ParenthesisNode':
      return printFolded((node as unknown as { content: MathNode }).content, memo);
    case 'OperatorNode':
    case 'FunctionNode': {
      const call = node as unknown as { fn: string | { name: string }; args: MathNode[] };
      const name = typeof call.fn === 'string' ? call.fn : call.fn.name;
      return `${name}(${call.args.map((argument) => printFolded(argument, memo)).join(',')})`;
    }
    default:
      return node.toString();
  }
}

/** A small deterministic generator (mulberry32), so random points are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Random points where variables take values in several ranges: positive (logs, roots), signed, small. */
function* randomPoints(variableCount: number, seed: number, attempts: number): Generator<number[]> {
  const random = seededRandom(seed);
  for (let attempt = 0; attempt < attempts; attempt++) {
    const range = attempt % 3;
    yield Array.from({ length: variableCount }, () => {
      const unit = random();
      return range === 0 ? 0.2 + 2.8 * unit : range === 1 ? -3 + 6 * unit : 0.05 + 0.95 * unit;
    });
  }
}

const IDENTITY_POINTS = 8;
const IDENTITY_ATTEMPTS = 60;
const MINIMUM_VALID_POINTS = 3;

type IdentityResult = 'equal' | 'different' | 'inconclusive';

interface Compiled {
  node: MathNode;
  complex: boolean;
}

/** Randomized identity testing at points where both sides are defined (finite and, unless i occurs, real). */
function numericIdentity(gold: Compiled, pred: Compiled, variables: string[], tolerance: number, seed: number): IdentityResult {
  const index = new Map(variables.map((name, position) => [name, position]));
  let valid = 0;
  if (gold.complex || pred.complex) {
    const f = compileComplex(gold.node, index);
    const g = compileComplex(pred.node, index);
    const { math } = safeMath();
    for (const point of randomPoints(variables.length, seed, IDENTITY_ATTEMPTS)) {
      const values = point.map((value) => math.complex(value, 0) as Complex);
      const a = f(values);
      const b = g(values);
      if (!finiteComplex(a) || !finiteComplex(b)) continue;
      if (!closeComplex(a, b, tolerance)) return 'different';
      if (++valid >= IDENTITY_POINTS) break;
    }
  } else {
    const f = compileFloat(gold.node, index);
    const g = compileFloat(pred.node, index);
    let bigF: Evaluate<BigNumber> | undefined;
    let bigG: Evaluate<BigNumber> | undefined;
    for (const point of randomPoints(variables.length, seed, IDENTITY_ATTEMPTS)) {
      const a = f(point);
      const b = g(point);
      if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
      if (!close(a, b, tolerance)) {
        // float cancellation can mislead: look again with 50 digits before calling the forms different
        bigF ??= compileBig(gold.node, index);
        bigG ??= compileBig(pred.node, index);
        const bigPoint = point.map(bigFromNumber);
        const bigA = bigF(bigPoint);
        const bigB = bigG(bigPoint);
        if (!(bigA.isFinite() && bigB.isFinite() && closeBig(bigA, bigB, Math.max(tolerance, 1e-25)))) return 'different';
      }
      if (++valid >= IDENTITY_POINTS) break;
    }
  }
  return valid >= MINIMUM_VALID_POINTS ? 'equal' : 'inconclusive';
}


/**
 * Whether `f1 = c · f2` for a constant c ≠ 0 (c > 0 when `positive`), tested at random points: equations equal up
 * to a non-zero factor (`y = 2x + 3` and `2x - y + 3 = 0`), inequalities up to a positive one.
 */
export function proportional(first: Expr, second: Expr, positive: boolean, seed: number): IdentityResult {
  // ∞ in a relation has no value to compare at points (and mathjs cannot take it as a number)
  const isInfinite = (expr: Expr) => containsNode(expr, (node) => node.type === 'constant' && node.name === 'infinity');
  if (isInfinite(first) || isInfinite(second)) return 'inconclusive';
  const nodeFirst = parseSafe(toMathjsSyntax(first));
  const nodeSecond = parseSafe(toMathjsSyntax(second));
  const variables = [...new Set([...freeSymbols(first), ...freeSymbols(second)])].map(mathjsSymbolName).sort();
  const index = new Map(variables.map((name, position) => [name, position]));
  const f = compileFloat(nodeFirst, index);
  const g = compileFloat(nodeSecond, index);
  const ratios: number[] = [];
  for (const point of randomPoints(variables.length, seed, IDENTITY_ATTEMPTS)) {
    const a = f(point);
    const b = g(point);
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (Math.abs(b) <= 1e-12 * (1 + Math.abs(a))) {
      if (Math.abs(a) <= 1e-9) continue;
      return 'different';
    }
    ratios.push(a / b);
    if (ratios.length >= IDENTITY_POINTS) break;
  }
  if (ratios.length < MINIMUM_VALID_POINTS) return 'inconclusive';
  const ratio = ratios[0]!;
  if (ratio === 0 || (positive && ratio < 0)) return 'different';
  return ratios.every((value) => close(value, ratio, 1e-8)) ? 'equal' : 'different';
}

/** Whether the tolerance for decimal approximations applies: one side is a decimal, the other is not a terminating value. */
function approximationApplies(gold: Expr, goldExact: Rational | null, pred: Expr, predExact: Rational | null): boolean {
  const nonTerminating = (exact: Rational | null) => exact === null || !isTerminating(exact);
  return (isDecimalLiteral(pred) && nonTerminating(goldExact)) || (isDecimalLiteral(gold) && nonTerminating(predExact));
}

/** Two exact values: equal, a decimal approximation of a repeating value within tolerance, or different. */
function compareRationals(gold: Expr, pred: Expr, goldValue: Rational, predValue: Rational, options: EquivalenceOptions): Verdict {
  if (rationalsEqual(goldValue, predValue)) {
    if (options.requireSimplifiedFractions && isUnsimplifiedFraction(pred) && !isUnsimplifiedFraction(gold)) return different('unsimplified-fraction');
    return equivalent('exact-rational');
  }
  if (approximationApplies(gold, goldValue, pred, predValue) && close(rationalToNumber(goldValue), rationalToNumber(predValue), options.relativeTolerance)) {
    return equivalent('decimal-approximation');
  }
  return different('different-value');
}

function toRational(value: Fraction | null): Rational | null {
  return value === null ? null : { numerator: BigInt(value.s) * BigInt(value.n), denominator: BigInt(value.d) };
}

function compareConstants(gold: Expr, pred: Expr, goldNode: MathNode, predNode: MathNode, context: CompareContext): Verdict {
  const { options } = context;
  const memo = new Map<MathNode, Fraction | null>();
  const goldExact = toRational(exactValue(goldNode, memo));
  const predExact = toRational(exactValue(predNode, memo));
  if (goldExact !== null && predExact !== null) return compareRationals(gold, pred, goldExact, predExact, options);
  if (printFolded(goldNode, memo) === printFolded(predNode, memo)) return equivalent('exact-structure');
  const complex = usesImaginaryUnit(gold) || usesImaginaryUnit(pred);
  if (complex) {
    const a = compileComplex(goldNode, new Map())([]);
    const b = compileComplex(predNode, new Map())([]);
    if (!finiteComplex(a) || !finiteComplex(b)) return different('non-finite');
    return closeComplex(a, b, 1e-10) ? equivalent('numeric') : different('different-value');
  }
  const a = compileFloat(goldNode, new Map())([]);
  const b = compileFloat(predNode, new Map())([]);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return different('non-finite');
  if (close(a, b, 1e-10)) {
    const bigA = compileBig(goldNode, new Map())([]);
    const bigB = compileBig(predNode, new Map())([]);
    if (bigA.isFinite() && bigB.isFinite()) return closeBig(bigA, bigB, 1e-35) ? equivalent('high-precision') : different('different-at-high-precision');
    return equivalent('numeric');
  }
  if (approximationApplies(gold, goldExact, pred, predExact) && close(a, b, options.relativeTolerance)) return equivalent('decimal-approximation');
  return different('different-value');
}

function compareBased(gold: Expr, pred: Expr, context: CompareContext): Verdict {
  if (gold.type === 'based' && pred.type === 'based') {
    return gold.digits === pred.digits && gold.base === pred.base ? equivalent('same-numeral') : different('different-numeral');
  }
  const based = gold.type === 'based' ? gold : pred.type === 'based' ? pred : null;
  const other = based === gold ? pred : gold;
  if (based !== null && context.options.baseSubscript === 'optional' && other.type === 'number') {
    return other.value === based.digits ? equivalent('base-subscript-omitted') : different('different-numeral');
  }
  return different('based-numeral-mismatch');
}

/** The digits a decimal literal shows after its point (`0.29` → 2, `5` → 0, `-1.50` → 2); null for anything else. */
function shownDecimals(expr: Expr): number | null {
  if (expr.type === 'negate') return shownDecimals(expr.argument);
  if (expr.type !== 'number') return null;
  return expr.value.split('.')[1]?.length ?? 0;
}

/** The most digits an approximation may show for its precision to be read (beyond float and exact-literal use). */
const MAX_SHOWN_DECIMALS = 30;

/**
 * An approximation (`\approx 0.29`, `r \approx 5`) against an exact value: equal when the exact value rounds to it at
 * the digits it shows (within half a unit of its last digit: 2/7 ≈ 0.29, 5.02 ≈ 5, 4.4 ≉ 5). Exact literals are
 * compared as rationals in this thread; other constants (√2, π) are evaluated to 50 digits in the worker.
 */
export function compareAtShownPrecision(exact: Expr, shown: Expr, context: CompareContext): Verdict {
  const decimals = shownDecimals(shown);
  const shownValue = decimals === null || decimals > MAX_SHOWN_DECIMALS ? null : literalValue(shown);
  if (decimals === null || shownValue === null) return compareExpressions(exact, shown, context);
  const halfUnit = rational(1n, 2n * 10n ** BigInt(decimals));
  const within = (difference: Rational): boolean => {
    const magnitude = difference.numerator < 0n ? -difference.numerator : difference.numerator;
    return magnitude * halfUnit.denominator <= halfUnit.numerator * difference.denominator;
  };
  // `\approx 0` shows no significant digit: it is an approximation of nothing but 0
  if (shownValue.numerator === 0n) return compareExpressions(exact, shown, context);
  const exactValue = isLiteral(exact) ? literalValue(exact) : null;
  if (exactValue !== null) {
    const difference = rational(exactValue.numerator * shownValue.denominator - shownValue.numerator * exactValue.denominator, exactValue.denominator * shownValue.denominator);
    return within(difference) ? equivalent('approximation-at-shown-precision') : different('different-at-shown-precision');
  }
  if (context.mode === 'cheap') throw new NeedsWorkerError();
  if (freeSymbols(exact).size > 0 || containsNode(exact, (node) => node.type === 'indexed' || node.type === 'based')) return different('approximation-of-non-constant');
  let node: MathNode;
  try {
    node = parseSafe(toMathjsSyntax(exact));
  } catch {
    return different('unsupported-expression');
  }
  const value = compileBig(node, new Map())([]);
  if (!value.isFinite()) return different('non-finite');
  const Big = value.constructor as unknown as new (text: string) => BigNumber;
  const difference = value.minus(new Big(`${shownValue.numerator}`).div(new Big(`${shownValue.denominator}`))).abs();
  const limit = new Big('0.5').div(new Big(`1e${decimals}`));
  return difference.lte(limit) ? equivalent('approximation-at-shown-precision') : different('different-at-shown-precision');
}

// ---- sums and products ---------------------------------------------------------------------------------------

/** Terms a sum or product is written out to, and the size the written-out forms may reach. */
const MAX_INDEXED_TERMS = 1_000;
const MAX_EXPANDED_NODES = 50_000;
/** The whole values a free limit (`\sum_{k=1}^{n}`) takes when the forms are compared by evaluation. */
const LIMIT_VALUES = [1, 2, 3, 4, 5, 6, 7];

class TooLargeToExpand extends Error {}

function hasIndexed(expr: Expr): boolean {
  return containsNode(expr, (node) => node.type === 'indexed');
}

/** Terms folded into a balanced tree (depth log n, so later recursion stays shallow). */
function foldBalanced(operator: '+' | '*', terms: Expr[], from: number, to: number): Expr {
  if (to - from === 1) return terms[from]!;
  const middle = (from + to) >>> 1;
  return { type: 'operator', operator, left: foldBalanced(operator, terms, from, middle), right: foldBalanced(operator, terms, middle, to) };
}

/** Every sum and product whose limits are whole numbers written out (`\sum_{k=1}^{3} k^2` → `1^2 + 2^2 + 3^2`); others kept. */
function expandIndexed(expr: Expr, budget: { nodes: number }): Expr {
  switch (expr.type) {
    case 'operator':
      return { ...expr, left: expandIndexed(expr.left, budget), right: expandIndexed(expr.right, budget) };
    case 'negate':
      return { ...expr, argument: expandIndexed(expr.argument, budget) };
    case 'call':
      return { ...expr, args: expr.args.map((argument) => expandIndexed(argument, budget)) };
    case 'indexed': {
      const from = expandIndexed(expr.from, budget);
      const to = expandIndexed(expr.to, budget);
      const low = isLiteral(from) ? literalValue(from) : null;
      const high = isLiteral(to) ? literalValue(to) : null;
      if (low === null || high === null || low.denominator !== 1n || high.denominator !== 1n) return { ...expr, from, to };
      const count = high.numerator - low.numerator + 1n;
      if (count > BigInt(MAX_INDEXED_TERMS)) throw new TooLargeToExpand();
      if (count <= 0n) return { type: 'number', value: expr.operator === 'sum' ? '0' : '1' };
      const terms: Expr[] = [];
      for (let value = low.numerator; value <= high.numerator; value++) {
        const index: Expr = value < 0n ? { type: 'negate', argument: { type: 'number', value: String(-value) } } : { type: 'number', value: String(value) };
        const term = expandIndexed(substitute(expr.body, expr.index, index), budget);
        budget.nodes -= countNodes(term);
        if (budget.nodes < 0) throw new TooLargeToExpand();
        terms.push(term);
      }
      return foldBalanced(expr.operator === 'sum' ? '+' : '*', terms, 0, terms.length);
    }
    default:
      return expr;
  }
}

/** The free symbols of the limits of the sums and products left in an expression. */
function limitSymbols(expr: Expr, into: Set<string>): Set<string> {
  containsNode(expr, (node) => {
    if (node.type === 'indexed') {
      freeSymbols(node.from, into);
      freeSymbols(node.to, into);
    }
    return false;
  });
  return into;
}

/**
 * Sums and products (`\sum`, `\prod`): written out where their limits are numbers, then compared as any expression
 * (`\sum_{k=1}^{10} k` = 55); two with the same limits compared body against body with the index as a variable
 * (commuted factors: `\sum_{k=1}^{n} 2k` = `\sum_{i=1}^{n} i \cdot 2`); a form with a free limit n against
 * another at n = 1 … 7 (`\sum_{k=1}^{n} k` = `\frac{n(n+1)}{2}`).
 */
function compareIndexed(gold: Expr, pred: Expr, context: CompareContext): Verdict {
  let goldExpanded: Expr;
  let predExpanded: Expr;
  try {
    const budget = { nodes: MAX_EXPANDED_NODES };
    goldExpanded = expandIndexed(gold, budget);
    predExpanded = expandIndexed(pred, budget);
  } catch (error) {
    if (error instanceof TooLargeToExpand) return different('indexed-too-large');
    throw error;
  }
  if (!hasIndexed(goldExpanded) && !hasIndexed(predExpanded)) return withIndexedReason(compareExpressions(goldExpanded, predExpanded, context), 'indexed-evaluated');
  if (goldExpanded.type === 'indexed' && predExpanded.type === 'indexed' && goldExpanded.operator === predExpanded.operator) {
    const limits = compareExpressions(goldExpanded.from, predExpanded.from, context);
    const upper = compareExpressions(goldExpanded.to, predExpanded.to, context);
    if (limits.equivalent && upper.equivalent) {
      const body = substitute(predExpanded.body, predExpanded.index, { type: 'symbol', name: goldExpanded.index });
      const verdict = compareExpressions(goldExpanded.body, body, context);
      if (verdict.equivalent) return equivalent('same-indexed');
    }
  }
  const limits = [...limitSymbols(goldExpanded, new Set()), ...limitSymbols(predExpanded, new Set())];
  const names = [...new Set(limits)];
  if (names.length !== 1) return different('undecided-indexed');
  const name = names[0]!;
  for (const value of LIMIT_VALUES) {
    const at: Expr = { type: 'number', value: String(value) };
    let goldAt: Expr;
    let predAt: Expr;
    try {
      const budget = { nodes: MAX_EXPANDED_NODES };
      goldAt = expandIndexed(substitute(goldExpanded, name, at), budget);
      predAt = expandIndexed(substitute(predExpanded, name, at), budget);
    } catch (error) {
      if (error instanceof TooLargeToExpand) return different('indexed-too-large');
      throw error;
    }
    if (hasIndexed(goldAt) || hasIndexed(predAt)) return different('undecided-indexed');
    const verdict = compareExpressions(goldAt, predAt, context);
    if (!verdict.equivalent) return different('different-indexed');
  }
  return equivalent('indexed-at-whole-limits');
}

function withIndexedReason(verdict: Verdict, reason: string): Verdict {
  return verdict.equivalent ? equivalent(reason) : verdict;
}

/** Equivalence of two expressions: structure, exact value, high-precision value, or identity in their variables. */
export function compareExpressions(gold: Expr, pred: Expr, context: CompareContext): Verdict {
  if (printExpr(gold) === printExpr(pred)) return equivalent('same-expression');
  if (hasIndexed(gold) || hasIndexed(pred)) {
    if (context.mode === 'cheap') throw new NeedsWorkerError();
    return compareIndexed(gold, pred, context);
  }
  const isInfinite = (expr: Expr) => containsNode(expr, (node) => node.type === 'constant' && node.name === 'infinity');
  if (isInfinite(gold) || isInfinite(pred)) {
    const goldSign = infinitySign(gold);
    const predSign = infinitySign(pred);
    if (goldSign !== null && goldSign === predSign) return equivalent('same-infinity');
    return different('infinity-mismatch');
  }
  if (gold.type === 'based' || pred.type === 'based') return compareBased(gold, pred, context);
  if (containsNode(gold, (node) => node.type === 'based') || containsNode(pred, (node) => node.type === 'based')) {
    return different('based-numeral-in-expression');
  }
  if (isLiteral(gold) && isLiteral(pred)) {
    const goldValue = literalValue(gold);
    const predValue = literalValue(pred);
    if (goldValue !== null && predValue !== null) return compareRationals(gold, pred, goldValue, predValue, context.options);
  }
  if (context.mode === 'cheap') {
    // two different bare letters (answer choices, variables), or a letter against a number
    const bare = (expr: Expr) => expr.type === 'symbol' || isLiteral(expr);
    if (bare(gold) && bare(pred) && (gold.type === 'symbol' || pred.type === 'symbol')) return different('different-symbol');
    throw new NeedsWorkerError();
  }
  let goldNode: MathNode;
  let predNode: MathNode;
  try {
    goldNode = parseSafe(toMathjsSyntax(gold));
    predNode = parseSafe(toMathjsSyntax(pred));
  } catch {
    return different('unsupported-expression');
  }
  const variables = [...new Set([...freeSymbols(gold), ...freeSymbols(pred)])].map(mathjsSymbolName).sort();
  if (variables.length === 0) return compareConstants(gold, pred, goldNode, predNode, context);
  const tolerance = containsDecimal(gold) || containsDecimal(pred) ? context.options.relativeTolerance : 1e-9;
  const complex = { gold: usesImaginaryUnit(gold), pred: usesImaginaryUnit(pred) };
  const result = numericIdentity({ node: goldNode, complex: complex.gold }, { node: predNode, complex: complex.pred }, variables, tolerance, context.options.seed);
  if (result === 'equal') return equivalent('numeric-identity');
  if (result === 'different') return different('different-function');
  const difference = parseSafe(`(${toMathjsSyntax(gold)}) - (${toMathjsSyntax(pred)})`);
  return symbolicallyZero(difference) ? equivalent('symbolic') : different('undecided');
}
