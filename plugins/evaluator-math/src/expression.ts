/** The parsed form of one mathematical expression in an answer (a leaf of an `Answer`). */

export const FUNCTION_NAMES = [
  'sqrt',
  'nthRoot',
  'sin',
  'cos',
  'tan',
  'sec',
  'csc',
  'cot',
  'asin',
  'acos',
  'atan',
  'asec',
  'acsc',
  'acot',
  'sinh',
  'cosh',
  'tanh',
  'ln',
  'log10',
  'logBase',
  'exp',
  'abs',
  'floor',
  'ceil',
  'factorial',
  'binom',
  'gcd',
  'lcm',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type ConstantName = 'pi' | 'e' | 'i' | 'infinity';
export type BinaryOperator = '+' | '-' | '*' | '/' | '^' | 'pm' | 'mp';

export type Expr =
  /** A decimal literal without sign, as written: `12`, `0.5`. */
  | { type: 'number'; value: string }
  /** A repeating decimal `0.\overline{3}`, kept as the exact fraction it denotes. */
  | { type: 'repeating'; numerator: string; denominator: string }
  /** A numeral in another base, `204_5`: compared as written, never converted. */
  | { type: 'based'; digits: string; base: string }
  | { type: 'symbol'; name: string }
  | { type: 'constant'; name: ConstantName }
  | { type: 'operator'; operator: BinaryOperator; left: Expr; right: Expr }
  | { type: 'negate'; argument: Expr }
  | { type: 'call'; name: FunctionName; args: Expr[] }
  /** `\sum_{k=1}^{n} body` / `\prod_{k=1}^{n} body`: `index` is bound inside `body`. */
  | { type: 'indexed'; operator: 'sum' | 'product'; index: string; from: Expr; to: Expr; body: Expr };

/** A canonical text of the tree: equal trees print equally. */
export function printExpr(expr: Expr): string {
  switch (expr.type) {
    case 'number':
      return canonicalDecimal(expr.value);
    case 'repeating':
      return `(${expr.numerator}/${expr.denominator})`;
    case 'based':
      return `${expr.digits}_${expr.base}`;
    case 'symbol':
      return expr.name;
    case 'constant':
      return `#${expr.name}`;
    case 'operator':
      return `(${printExpr(expr.left)}${expr.operator}${printExpr(expr.right)})`;
    case 'negate':
      return `(-${printExpr(expr.argument)})`;
    case 'call':
      return `${expr.name}(${expr.args.map(printExpr).join(',')})`;
    case 'indexed':
      return `${expr.operator}[${expr.index}=${printExpr(expr.from)}..${printExpr(expr.to)}](${printExpr(expr.body)})`;
  }
}

/** `007.50` → `7.5`, `3.0` → `3`. */
export function canonicalDecimal(value: string): string {
  let [integer = '', fraction = ''] = value.split('.');
  integer = integer.replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  return fraction === '' ? integer || '0' : `${integer || '0'}.${fraction}`;
}

export function containsNode(expr: Expr, test: (node: Expr) => boolean): boolean {
  if (test(expr)) return true;
  switch (expr.type) {
    case 'operator':
      return containsNode(expr.left, test) || containsNode(expr.right, test);
    case 'negate':
      return containsNode(expr.argument, test);
    case 'call':
      return expr.args.some((argument) => containsNode(argument, test));
    case 'indexed':
      return containsNode(expr.from, test) || containsNode(expr.to, test) || containsNode(expr.body, test);
    default:
      return false;
  }
}

/** The variables of an expression: its symbols, less the index of a sum or product inside its body. */
export function freeSymbols(expr: Expr, into = new Set<string>()): Set<string> {
  switch (expr.type) {
    case 'symbol':
      into.add(expr.name);
      break;
    case 'operator':
      freeSymbols(expr.left, into);
      freeSymbols(expr.right, into);
      break;
    case 'negate':
      freeSymbols(expr.argument, into);
      break;
    case 'call':
      for (const argument of expr.args) freeSymbols(argument, into);
      break;
    case 'indexed': {
      freeSymbols(expr.from, into);
      freeSymbols(expr.to, into);
      for (const name of freeSymbols(expr.body)) if (name !== expr.index) into.add(name);
      break;
    }
    default:
      break;
  }
  return into;
}

/** `expr` with every free occurrence of the symbol `name` replaced by `value` (a sum's own index shadows it). */
export function substitute(expr: Expr, name: string, value: Expr): Expr {
  switch (expr.type) {
    case 'symbol':
      return expr.name === name ? value : expr;
    case 'operator':
      return { ...expr, left: substitute(expr.left, name, value), right: substitute(expr.right, name, value) };
    case 'negate':
      return { ...expr, argument: substitute(expr.argument, name, value) };
    case 'call':
      return { ...expr, args: expr.args.map((argument) => substitute(argument, name, value)) };
    case 'indexed':
      return {
        ...expr,
        from: substitute(expr.from, name, value),
        to: substitute(expr.to, name, value),
        body: expr.index === name ? expr.body : substitute(expr.body, name, value),
      };
    default:
      return expr;
  }
}

export function countNodes(expr: Expr): number {
  let count = 0;
  containsNode(expr, () => {
    count++;
    return false;
  });
  return count;
}

/** `±∞`: +1 or -1 for `\infty`, `-\infty`, `+\infty`; null for anything else. */
export function infinitySign(expr: Expr): 1 | -1 | null {
  if (expr.type === 'constant' && expr.name === 'infinity') return 1;
  if (expr.type === 'negate') {
    const inner = infinitySign(expr.argument);
    return inner === null ? null : inner === 1 ? -1 : 1;
  }
  return null;
}

/** A plain decimal literal with a fractional part, possibly negated: `1.41421356`, `-0.333`. */
export function isDecimalLiteral(expr: Expr): boolean {
  if (expr.type === 'negate') return isDecimalLiteral(expr.argument);
  return expr.type === 'number' && canonicalDecimal(expr.value).includes('.');
}

const MAX_PLUS_MINUS_VARIANTS = 16;

/** Expands `a \pm b` into `a + b` and `a - b` (every combination when there are several, at most 16). */
export function expandPlusMinus(expr: Expr): Expr[] {
  switch (expr.type) {
    case 'operator': {
      const lefts = expandPlusMinus(expr.left);
      const rights = expandPlusMinus(expr.right);
      const variants: Expr[] = [];
      for (const left of lefts) {
        for (const right of rights) {
          if (expr.operator === 'pm' || expr.operator === 'mp') {
            const first = expr.operator === 'pm' ? '+' : '-';
            const second = expr.operator === 'pm' ? '-' : '+';
            variants.push(plusMinusSide(left, first, right), plusMinusSide(left, second, right));
          } else {
            variants.push({ ...expr, left, right });
          }
          if (variants.length >= MAX_PLUS_MINUS_VARIANTS) return variants;
        }
      }
      return variants;
    }
    case 'negate':
      return expandPlusMinus(expr.argument).map((argument) => ({ type: 'negate', argument }));
    case 'call': {
      let variants: Expr[][] = [[]];
      for (const argument of expr.args) {
        const options = expandPlusMinus(argument);
        variants = variants.flatMap((prefix) => options.map((option) => [...prefix, option])).slice(0, MAX_PLUS_MINUS_VARIANTS);
      }
      return variants.map((args) => ({ ...expr, args }));
    }
    default:
      return [expr];
  }
}

/** `0 ± b` (from a leading `\pm b`) expands to `b` and `-b`. */
function plusMinusSide(left: Expr, operator: '+' | '-', right: Expr): Expr {
  if (left.type === 'number' && Number(left.value) === 0) return operator === '+' ? right : { type: 'negate', argument: right };
  return { type: 'operator', operator, left, right };
}

export function hasPlusMinus(expr: Expr): boolean {
  return containsNode(expr, (node) => node.type === 'operator' && (node.operator === 'pm' || node.operator === 'mp'));
}

const MATHJS_FUNCTION: Record<FunctionName, string> = {
  sqrt: 'sqrt',
  nthRoot: 'nthRoot',
  sin: 'sin',
  cos: 'cos',
  tan: 'tan',
  sec: 'sec',
  csc: 'csc',
  cot: 'cot',
  asin: 'asin',
  acos: 'acos',
  atan: 'atan',
  asec: 'asec',
  acsc: 'acsc',
  acot: 'acot',
  sinh: 'sinh',
  cosh: 'cosh',
  tanh: 'tanh',
  ln: 'log',
  log10: 'log10',
  logBase: 'log',
  exp: 'exp',
  abs: 'abs',
  floor: 'floor',
  ceil: 'ceil',
  factorial: 'factorial',
  binom: 'combinations',
  gcd: 'gcd',
  lcm: 'lcm',
};

/** The variable name an answer symbol gets in mathjs syntax: `x` → `v_x`, `x_{1}` → `v_x_1`. */
export function mathjsSymbolName(name: string): string {
  return `v_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
}

export class NotEvaluableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotEvaluableError';
  }
}

/** The expression in mathjs syntax, fully parenthesised. Based numerals and unexpanded `±` have none. */
export function toMathjsSyntax(expr: Expr): string {
  switch (expr.type) {
    case 'number':
      return canonicalDecimal(expr.value);
    case 'repeating':
      return `(${expr.numerator} / ${expr.denominator})`;
    case 'based':
      throw new NotEvaluableError(`${expr.digits}_${expr.base} is a numeral in base ${expr.base}`);
    case 'symbol':
      return mathjsSymbolName(expr.name);
    case 'constant':
      return expr.name === 'infinity' ? 'Infinity' : expr.name;
    case 'operator':
      if (expr.operator === 'pm' || expr.operator === 'mp') throw new NotEvaluableError('unexpanded ±');
      return `(${toMathjsSyntax(expr.left)} ${expr.operator} ${toMathjsSyntax(expr.right)})`;
    case 'negate':
      return `(-${toMathjsSyntax(expr.argument)})`;
    case 'call':
      return `${MATHJS_FUNCTION[expr.name]}(${expr.args.map(toMathjsSyntax).join(', ')})`;
    case 'indexed':
      throw new NotEvaluableError(`a ${expr.operator} over ${expr.index} is expanded or compared as such, never evaluated by mathjs`);
  }
}
