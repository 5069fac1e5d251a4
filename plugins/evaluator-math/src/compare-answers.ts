import { compareAtShownPrecision, compareExpressions, proportional, type CompareContext } from './compare-expressions.js';
import { freeSymbols, printExpr, type Expr } from './expression.js';
import { AnswerSyntaxError, withoutPoints, type Answer, type RelationOperator } from './parse-answer.js';
import { different, equivalent, NeedsWorkerError, type Verdict } from './verdict.js';

const MAX_UNORDERED = 60;

/** Pairs every gold item with a distinct equivalent predicted item (bipartite matching), order ignored. */
function compareUnordered(gold: Answer[], pred: Answer[], context: CompareContext, reason: string): Verdict {
  if (gold.length !== pred.length) return different('different-length');
  if (gold.length > MAX_UNORDERED) return compareOrdered(gold, pred, context, reason);
  const cache = new Map<number, boolean>();
  const matches = (goldIndex: number, predIndex: number): boolean => {
    const key = goldIndex * gold.length + predIndex;
    let result = cache.get(key);
    if (result === undefined) {
      result = compareAnswers(gold[goldIndex]!, pred[predIndex]!, context).equivalent;
      cache.set(key, result);
    }
    return result;
  };
  const goldOfPred: number[] = new Array<number>(pred.length).fill(-1);
  const augment = (goldIndex: number, visited: Set<number>): boolean => {
    for (let predIndex = 0; predIndex < pred.length; predIndex++) {
      if (visited.has(predIndex) || !matches(goldIndex, predIndex)) continue;
      visited.add(predIndex);
      if (goldOfPred[predIndex] === -1 || augment(goldOfPred[predIndex]!, visited)) {
        goldOfPred[predIndex] = goldIndex;
        return true;
      }
    }
    return false;
  };
  for (let goldIndex = 0; goldIndex < gold.length; goldIndex++) {
    if (!augment(goldIndex, new Set())) return different('unmatched-element');
  }
  return equivalent(reason);
}

function compareOrdered(gold: Answer[], pred: Answer[], context: CompareContext, reason: string): Verdict {
  if (gold.length !== pred.length) return different('different-length');
  for (let index = 0; index < gold.length; index++) {
    const verdict = compareAnswers(gold[index]!, pred[index]!, context);
    if (!verdict.equivalent) return verdict;
  }
  return equivalent(reason);
}

function expressionOf(answer: Answer): Expr | null {
  return answer.kind === 'expression' ? answer.expr : null;
}

function isLabel(candidate: Answer): boolean {
  const expr = expressionOf(candidate);
  if (expr !== null) return isProductOfSymbols(expr);
  return candidate.kind === 'tuple' && candidate.items.every((item) => expressionOf(item)?.type === 'symbol');
}

/**
 * `x = 5`, `(p, q) = (3, 2)`, `f(x) = x^2`, and the sides flipped, `5 = x` (a value on the left, a label on the
 * right): the label and the value it states, or null.
 */
function labelled(answer: Answer): { label: Answer; value: Answer } | null {
  if (answer.kind !== 'relation' || answer.operators.length !== 1 || answer.operators[0] !== '=') return null;
  const [left, right] = answer.operands as [Answer, Answer];
  if (isLabel(left)) return { label: left, value: right };
  const leftExpr = expressionOf(left);
  if (isLabel(right) && leftExpr !== null && freeSymbols(leftExpr).size === 0) return { label: right, value: left };
  return null;
}

function labelledValue(answer: Answer): Answer | null {
  return labelled(answer)?.value ?? null;
}

/** A list of values with distinct labels (`a = 4, b = 7`), not the solutions of one variable (`x = 2, x = -3`, `x_1, x_2`). */
interface LabelledList {
  names: string[];
  values: Answer[];
}

function labelledList(answer: Answer): LabelledList | null {
  if (answer.kind !== 'list' || answer.items.length < 2) return null;
  const names: string[] = [];
  const values: Answer[] = [];
  for (const item of answer.items) {
    const pair = labelled(item);
    const label = pair === null ? null : expressionOf(pair.label);
    if (pair === null || label?.type !== 'symbol') return null;
    names.push(label.name);
    values.push(pair.value);
  }
  const bases = new Set(names.map((name) => name.replace(/_.*$/, '')));
  return bases.size === names.length ? { names, values } : null;
}

/** The values in the order the question names their labels (`Find $a$ and $b$`), when it names them all; else as written. */
function inQuestionOrder(list: LabelledList, order: readonly string[] | undefined): Answer[] {
  if (order === undefined) return list.values;
  const positions = list.names.map((name) => order.indexOf(name));
  if (positions.some((position) => position === -1)) return list.values;
  return list.values.map((value, index) => ({ value, position: positions[index]! })).sort((a, b) => a.position - b.position).map(({ value }) => value);
}

/**
 * Values with distinct labels are an ordered answer: `a = 4, b = 7` against `4, 7` or `(4, 7)` in order (the labelled
 * side in the question's order of its labels, when the evaluator has the question and it names them all), against
 * `b = 7, a = 4` label by label. Null when neither side is such a list, or the other side is a set (unordered).
 */
function compareLabelled(gold: Answer, pred: Answer, context: CompareContext): Verdict | null {
  const goldList = labelledList(gold);
  const predList = labelledList(pred);
  if (goldList === null && predList === null) return null;
  if (goldList !== null && predList !== null) {
    const sameNames = goldList.names.length === predList.names.length && goldList.names.every((name) => predList.names.includes(name));
    if (sameNames) {
      const predByName = new Map(predList.names.map((name, index) => [name, predList.values[index]!]));
      return compareOrdered(goldList.values, goldList.names.map((name) => predByName.get(name)!), context, 'same-labels');
    }
    return compareOrdered(inQuestionOrder(goldList, context.labelOrder), inQuestionOrder(predList, context.labelOrder), context, 'labelled-values');
  }
  const items = (answer: Answer): Answer[] | null =>
    answer.kind === 'list' ? answer.items : answer.kind === 'tuple' && isParenthesizedTuple(answer) ? answer.items : null;
  const goldValues = goldList === null ? items(gold) : inQuestionOrder(goldList, context.labelOrder);
  const predValues = predList === null ? items(pred) : inQuestionOrder(predList, context.labelOrder);
  if (goldValues === null || predValues === null) return null;
  return compareOrdered(goldValues, predValues, context, 'labelled-values');
}

function isProductOfSymbols(expr: Expr): boolean {
  if (expr.type === 'symbol') return true;
  return expr.type === 'operator' && expr.operator === '*' && isProductOfSymbols(expr.left) && isProductOfSymbols(expr.right);
}

/** The right side of `L = R` when L and R are the same expression (an identity), else null. */
function identityValue(answer: Extract<Answer, { kind: 'relation' }>, context: CompareContext): Answer | null {
  if (answer.operators.length !== 1 || answer.operators[0] !== '=') return null;
  const [left, right] = answer.operands as [Answer, Answer];
  if (left.kind !== 'expression' || right.kind !== 'expression') return null;
  return compareExpressions(left.expr, right.expr, context).equivalent ? right : null;
}

function withReason(verdict: Verdict, reason: string): Verdict {
  return verdict.equivalent ? equivalent(reason) : verdict;
}

const INEQUALITIES: ReadonlySet<RelationOperator> = new Set(['<', '<=', '>', '>=']);
const NEGATIVE_INFINITY: Expr = { type: 'negate', argument: { type: 'constant', name: 'infinity' } };
const POSITIVE_INFINITY: Expr = { type: 'constant', name: 'infinity' };

function interval(open: '(' | '[', low: Expr, high: Expr, close: ')' | ']'): Answer {
  return { kind: 'tuple', open, close, items: [{ kind: 'expression', expr: low }, { kind: 'expression', expr: high }] };
}

function isConstantExpr(expr: Expr): boolean {
  return freeSymbols(expr).size === 0;
}

/** `|x|`, `|x - 3|`, `|x + 3|`, `|3 + x|`: the variable's centre (null for 0), or undefined when not such an absolute value. */
function absoluteCentre(expr: Expr): Expr | null | undefined {
  if (expr.type !== 'call' || expr.name !== 'abs') return undefined;
  const inner = expr.args[0]!;
  if (isProductOfSymbols(inner)) return null;
  if (inner.type !== 'operator' || (inner.operator !== '+' && inner.operator !== '-')) return undefined;
  if (isProductOfSymbols(inner.left) && isConstantExpr(inner.right)) return inner.operator === '-' ? inner.right : { type: 'negate', argument: inner.right };
  if (inner.operator === '+' && isProductOfSymbols(inner.right) && isConstantExpr(inner.left)) return { type: 'negate', argument: inner.left };
  return undefined;
}

interface Bound {
  value: Expr;
  inclusive: boolean;
}

/**
 * `L ⋚ |x - c| ⋚ U` as the intervals of x: `|x| < U` → `(-U, U)`, `|x| \ge L` → `(-\infty, -L] \cup [L, \infty)`,
 * `L \le |x| \le U` → `[-U, -L] \cup [L, U]` (shifted by c).
 */
function absoluteIntervals(centre: Expr | null, lower: Bound | null, upper: Bound | null): Answer | null {
  const below = (distance: Expr): Expr => (centre === null ? { type: 'negate', argument: distance } : { type: 'operator', operator: '-', left: centre, right: distance });
  const above = (distance: Expr): Expr => (centre === null ? distance : { type: 'operator', operator: '+', left: centre, right: distance });
  const opening = (bound: Bound): '(' | '[' => (bound.inclusive ? '[' : '(');
  const closing = (bound: Bound): ')' | ']' => (bound.inclusive ? ']' : ')');
  if (lower === null && upper === null) return null;
  if (lower === null) return interval(opening(upper!), below(upper!.value), above(upper!.value), closing(upper!));
  if (upper === null) return { kind: 'union', parts: [interval('(', NEGATIVE_INFINITY, below(lower.value), closing(lower)), interval(opening(lower), above(lower.value), POSITIVE_INFINITY, ')')] };
  return {
    kind: 'union',
    parts: [interval(opening(upper), below(upper.value), below(lower.value), closing(lower)), interval(opening(lower), above(lower.value), above(upper.value), closing(upper))],
  };
}

/**
 * The set a relation in one variable describes: `3 < x \le 4` → `(3, 4]`, `x \ge 2` → `[2, \infty)`, `-3 < g(t) < 3`
 * → `(-3, 3)`, `x \ne 4` → `(-\infty, 4) \cup (4, \infty)`, `2 \le |w| \le 5` → `[-5, -2] \cup [2, 5]`; null unless one
 * variable (a symbol, `g(t)`, or its absolute value) is bounded by constants.
 */
function inequalityToInterval(answer: Answer): Answer | null {
  if (answer.kind !== 'relation') return null;
  const operands = answer.operands.map(expressionOf);
  if (operands.some((operand) => operand === null)) return null;
  const exprs = operands as Expr[];
  if (answer.operators.length === 1 && answer.operators[0] === '!=') {
    const [left, right] = exprs as [Expr, Expr];
    const point = isProductOfSymbols(left) && isConstantExpr(right) ? right : isProductOfSymbols(right) && isConstantExpr(left) ? left : null;
    return point === null ? null : { kind: 'union', parts: [interval('(', NEGATIVE_INFINITY, point, ')'), interval('(', point, POSITIVE_INFINITY, ')')] };
  }
  if (!answer.operators.every((operator) => INEQUALITIES.has(operator))) return null;
  const variableAt = exprs.findIndex((expr) => isProductOfSymbols(expr) || absoluteCentre(expr) !== undefined);
  if (variableAt === -1 || exprs.some((expr, index) => index !== variableAt && !isConstantExpr(expr))) return null;
  if (exprs.length > 3 || (variableAt !== 1 && exprs.length === 3)) return null;
  let lower: Bound | null = null;
  let upper: Bound | null = null;
  const bound = (constant: Expr, operator: RelationOperator, constantFirst: boolean): void => {
    const less = operator === '<' || operator === '<=';
    const inclusive = operator === '<=' || operator === '>=';
    // constant < x, or x > constant: a lower bound
    if (less === constantFirst) lower = { value: constant, inclusive };
    else upper = { value: constant, inclusive };
  };
  if (variableAt > 0) bound(exprs[variableAt - 1]!, answer.operators[variableAt - 1]!, true);
  if (variableAt < exprs.length - 1) bound(exprs[variableAt + 1]!, answer.operators[variableAt]!, false);
  const centre = absoluteCentre(exprs[variableAt]!);
  if (centre !== undefined) return absoluteIntervals(centre, lower, upper);
  const low = lower as Bound | null;
  const high = upper as Bound | null;
  return interval(low?.inclusive ? '[' : '(', low?.value ?? NEGATIVE_INFINITY, high?.value ?? POSITIVE_INFINITY, high?.inclusive ? ']' : ')');
}

/** `x \ne 1, x \ne 2`: the points a list of exclusions takes out of the line (every item `symbol ≠ constant`), or null. */
function excludedPoints(answer: Extract<Answer, { kind: 'list' }>): Answer[] | null {
  const points: Answer[] = [];
  for (const item of answer.items) {
    if (item.kind !== 'relation' || item.operators.length !== 1 || item.operators[0] !== '!=') return null;
    const [left, right] = item.operands.map(expressionOf) as [Expr | null, Expr | null];
    if (left === null || right === null) return null;
    const point = isProductOfSymbols(left) && isConstantExpr(right) ? right : isProductOfSymbols(right) && isConstantExpr(left) ? left : null;
    if (point === null) return null;
    points.push({ kind: 'expression', expr: point });
  }
  return points;
}

/**
 * A relation or a list of them as a union of intervals: `x < -2, x > 3` (either holds); a list of exclusions
 * `x \ne 1, x \ne 2` holds together, the line without the points.
 */
function asIntervals(answer: Answer): Answer | null {
  if (answer.kind === 'relation') return inequalityToInterval(answer);
  if (answer.kind === 'list') {
    if (answer.items.some((item) => item.kind === 'relation' && item.operators.includes('!='))) {
      const points = excludedPoints(answer);
      if (points === null) return null;
      try {
        return withoutPoints(interval('(', NEGATIVE_INFINITY, POSITIVE_INFINITY, ')'), { kind: 'set', items: points });
      } catch (error) {
        if (error instanceof AnswerSyntaxError) return null;
        throw error;
      }
    }
    const parts = answer.items.map(inequalityToInterval);
    if (parts.some((part) => part === null)) return null;
    return { kind: 'union', parts: (parts as Answer[]).flatMap((part) => (part.kind === 'union' ? part.parts : [part])) };
  }
  return null;
}

/** One side of a relation as `f ⋚ 0` with `<` or `<=` (flipping `>`/`>=`), so forms can be compared. */
function towardsZero(left: Expr, operator: RelationOperator, right: Expr): { f: Expr; operator: RelationOperator } {
  if (operator === '>' || operator === '>=') return { f: { type: 'operator', operator: '-', left: right, right: left }, operator: operator === '>' ? '<' : '<=' };
  return { f: { type: 'operator', operator: '-', left, right }, operator };
}

function compareRelations(gold: Extract<Answer, { kind: 'relation' }>, pred: Extract<Answer, { kind: 'relation' }>, context: CompareContext): Verdict {
  const goldLabelled = labelled(gold);
  const predLabelled = labelled(pred);
  if (goldLabelled !== null && predLabelled !== null && printAnswer(goldLabelled.label) === printAnswer(predLabelled.label)) {
    const verdict = compareAnswers(goldLabelled.value, predLabelled.value, context);
    return verdict.equivalent ? equivalent('same-label') : verdict;
  }
  if (context.options.inequalityAsInterval) {
    const goldInterval = inequalityToInterval(gold);
    const predInterval = inequalityToInterval(pred);
    if (goldInterval !== null && predInterval !== null) {
      const verdict = compareAnswers(goldInterval, predInterval, context);
      return verdict.equivalent ? equivalent('inequality-interval') : verdict;
    }
  }
  if (gold.operators.length !== pred.operators.length) return different('different-relation');
  const goldExprs = gold.operands.map(expressionOf);
  const predExprs = pred.operands.map(expressionOf);
  if (goldExprs.some((expr) => expr === null) || predExprs.some((expr) => expr === null)) return different('different-relation');
  // a chain written the other way round (5 > x > 1 for 1 < x < 5)
  const flips = (operators: RelationOperator[]) => operators[0] === '>' || operators[0] === '>=';
  let predOperands = predExprs as Expr[];
  let predOperators = pred.operators;
  if (pred.operators.length > 1 && flips(pred.operators) !== flips(gold.operators)) {
    predOperands = [...predOperands].reverse();
    predOperators = [...pred.operators].reverse().map((operator) => ({ '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=', '!=': '!=' })[operator] as RelationOperator);
  }
  for (let index = 0; index < gold.operators.length; index++) {
    const goldOperator = gold.operators[index]!;
    const predOperator = predOperators[index]!;
    const isEquation = (operator: RelationOperator) => operator === '=' || operator === '!=';
    if (isEquation(goldOperator) !== isEquation(predOperator)) return different('different-relation');
    if (context.mode === 'cheap') throw new NeedsWorkerError();
    const goldSide = towardsZero((goldExprs as Expr[])[index]!, goldOperator, (goldExprs as Expr[])[index + 1]!);
    const predSide = towardsZero(predOperands[index]!, predOperator, predOperands[index + 1]!);
    if (goldSide.operator !== predSide.operator) return different('different-relation');
    const result = proportional(goldSide.f, predSide.f, !isEquation(goldOperator), context.options.seed);
    if (result !== 'equal') return different(result === 'different' ? 'different-relation' : 'undecided-relation');
  }
  return equivalent(gold.operators.every((operator) => operator === '=') ? 'equation-factor' : 'inequality');
}

/** A canonical text of a structure (for label comparison). */
export function printAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'expression':
      return printExpr(answer.expr);
    case 'tuple':
      return `${answer.open}${answer.items.map(printAnswer).join(',')}${answer.close}`;
    case 'set':
      return `{${answer.items.map(printAnswer).join(',')}}`;
    case 'list':
      return answer.items.map(printAnswer).join(',');
    case 'union':
      return answer.parts.map(printAnswer).join('∪');
    case 'matrix':
      return `[${answer.rows.map((row) => row.map(printAnswer).join('&')).join('\\\\')}]`;
    case 'relation':
      return answer.operands.map((operand, index) => (index === 0 ? '' : answer.operators[index - 1]) + printAnswer(operand)).join('');
    case 'approximate':
      return `≈${printAnswer(answer.value)}`;
    case 'text':
      return `"${answer.text}"`;
  }
}

function containsInfinity(answer: Extract<Answer, { kind: 'tuple' }>): boolean {
  return answer.items.some((item) => item.kind === 'expression' && printExpr(item.expr).includes('#infinity'));
}

/** `(a, b, …)` with round brackets and no infinite end: a point or tuple rather than an interval. */
function isParenthesizedTuple(answer: Extract<Answer, { kind: 'tuple' }>): boolean {
  return answer.open === '(' && answer.close === ')' && !containsInfinity(answer);
}

/** A column or row vector as the tuple it matches, when the vector policy allows it. */
function vectorItems(answer: Answer): Answer[] | null {
  if (answer.kind !== 'matrix') return null;
  if (answer.rows.every((row) => row.length === 1)) return answer.rows.map((row) => row[0]!);
  if (answer.rows.length === 1) return answer.rows[0]!;
  return null;
}

/**
 * A value given only as an approximation (`r \approx 5`) against an exact one: under `approximations:
 * 'shown-precision'` it counts when the exact value rounds to it at the digits shown; under `as-written` it is
 * compared as the number it is.
 */
function compareApproximation(gold: Answer, pred: Answer, context: CompareContext): Verdict {
  if (gold.kind === 'approximate' && pred.kind === 'approximate') return compareAnswers(gold.value, pred.value, context);
  const goldIsApproximate = gold.kind === 'approximate';
  const approximate = (goldIsApproximate ? gold : pred) as Extract<Answer, { kind: 'approximate' }>;
  const other = goldIsApproximate ? pred : gold;
  const exact = labelledValue(other) ?? other;
  if (context.options.approximations === 'shown-precision' && approximate.value.kind === 'expression' && exact.kind === 'expression') {
    return compareAtShownPrecision(exact.expr, approximate.value.expr, context);
  }
  return goldIsApproximate ? compareAnswers(approximate.value, exact, context) : compareAnswers(exact, approximate.value, context);
}

/** Equivalence of two parsed answers, structure first, values at the leaves. */
export function compareAnswers(gold: Answer, pred: Answer, context: CompareContext): Verdict {
  const { options } = context;
  if (gold.kind === 'approximate' || pred.kind === 'approximate') return compareApproximation(gold, pred, context);
  // values with distinct labels: `a = 4, b = 7` against `4, 7`, in order
  const labelledVerdict = compareLabelled(gold, pred, context);
  if (labelledVerdict !== null) return labelledVerdict;
  // labels: `x = 5` against `5`, `(p,q) = (1,2)` against `(1,2)`
  if (gold.kind === 'relation' && pred.kind !== 'relation') {
    const value = labelledValue(gold);
    if (value !== null) return compareAnswers(value, pred, context);
  }
  if (pred.kind === 'relation' && gold.kind !== 'relation') {
    const value = labelledValue(pred);
    if (value !== null) return compareAnswers(gold, value, context);
  }
  // an identity `(x+1)^2 = x^2 + 2x + 1` states the expression both sides equal
  if (gold.kind === 'expression' && pred.kind === 'relation') {
    const value = identityValue(pred, context);
    if (value !== null) return withReason(compareAnswers(gold, value, context), 'identity-side');
  }
  if (pred.kind === 'expression' && gold.kind === 'relation') {
    const value = identityValue(gold, context);
    if (value !== null) return withReason(compareAnswers(value, pred, context), 'identity-side');
  }
  // inequalities against intervals
  if (options.inequalityAsInterval && (gold.kind === 'tuple' || gold.kind === 'union') !== (pred.kind === 'tuple' || pred.kind === 'union')) {
    const goldIntervals = gold.kind === 'tuple' || gold.kind === 'union' ? gold : asIntervals(gold);
    const predIntervals = pred.kind === 'tuple' || pred.kind === 'union' ? pred : asIntervals(pred);
    if (goldIntervals !== null && predIntervals !== null) {
      const verdict = compareAnswers(goldIntervals, predIntervals, context);
      return verdict.equivalent ? equivalent('inequality-interval') : verdict;
    }
  }
  switch (gold.kind) {
    case 'expression':
      return pred.kind === 'expression' ? compareExpressions(gold.expr, pred.expr, context) : different('different-structure');
    case 'text':
      return pred.kind === 'text' && pred.text === gold.text ? equivalent('same-text') : different('different-text');
    case 'tuple': {
      if (pred.kind === 'tuple') {
        if (gold.open !== pred.open || gold.close !== pred.close) return different('different-brackets');
        const isInterval = gold.open === '[' || gold.close === ']' || containsInfinity(gold);
        return compareOrdered(gold.items, pred.items, context, isInterval ? 'interval' : 'tuple');
      }
      const vector = options.vectorAsTuple && gold.open === '(' ? vectorItems(pred) : null;
      if (vector !== null) return compareOrdered(gold.items, vector, context, 'vector-as-tuple');
      if (pred.kind === 'union' && pred.parts.length === 1) return compareAnswers(gold, pred.parts[0]!, context);
      // `(2, 5)` against `2, 5` (two boxes, or `a = 2 and b = 5`): the same items in the same order
      if (pred.kind === 'list' && isParenthesizedTuple(gold)) return compareOrdered(gold.items, pred.items, context, 'tuple-as-list');
      return different('different-structure');
    }
    case 'matrix': {
      if (pred.kind === 'matrix') {
        if (gold.rows.length !== pred.rows.length || gold.rows.some((row, index) => row.length !== pred.rows[index]!.length)) {
          return different('different-dimensions');
        }
        return compareOrdered(gold.rows.flat(), pred.rows.flat(), context, 'matrix');
      }
      const vector = options.vectorAsTuple && pred.kind === 'tuple' && pred.open === '(' ? vectorItems(gold) : null;
      if (vector !== null && pred.kind === 'tuple') return compareOrdered(vector, pred.items, context, 'vector-as-tuple');
      return different('different-structure');
    }
    case 'set':
    case 'list': {
      if (gold.kind === 'list' && pred.kind === 'tuple' && isParenthesizedTuple(pred)) return compareOrdered(gold.items, pred.items, context, 'tuple-as-list');
      if (pred.kind !== 'set' && pred.kind !== 'list') return different('different-structure');
      const ordered = gold.kind === 'list' && pred.kind === 'list' && options.bareLists === 'ordered';
      return ordered
        ? compareOrdered(gold.items, pred.items, context, 'ordered-list')
        : compareUnordered(gold.items, pred.items, context, gold.kind === 'set' ? 'set' : 'unordered-list');
    }
    case 'union': {
      if (pred.kind === 'union') return compareUnordered(gold.parts, pred.parts, context, 'union');
      if (gold.parts.length === 1) return compareAnswers(gold.parts[0]!, pred, context);
      return different('different-structure');
    }
    case 'relation':
      return pred.kind === 'relation' ? compareRelations(gold, pred, context) : different('different-structure');
  }
}
