import { countNodes, expandPlusMinus, hasPlusMinus, type Expr, type FunctionName } from './expression.js';
import { literalValue, type Rational } from './rational.js';

export type RelationOperator = '=' | '<' | '<=' | '>' | '>=' | '!=';

/** The structure of an answer; expressions are the leaves. */
export type Answer =
  | { kind: 'expression'; expr: Expr }
  /** A bracketed sequence: an ordered tuple `(1,2)`, or an interval `[0,1)` (the brackets are kept). */
  | { kind: 'tuple'; open: '(' | '['; close: ')' | ']'; items: Answer[] }
  | { kind: 'set'; items: Answer[] }
  /** A bare list `1, -2` (answers to "find all …"). */
  | { kind: 'list'; items: Answer[] }
  | { kind: 'union'; parts: Answer[] }
  | { kind: 'matrix'; rows: Answer[][] }
  | { kind: 'relation'; operands: Answer[]; operators: RelationOperator[] }
  /** A value given only as an approximation: `r \approx 5`, `\approx 0.29` (a chain `t = \frac27 \approx 0.29` states its exact side instead). */
  | { kind: 'approximate'; value: Answer }
  | { kind: 'text'; text: string };

export class AnswerSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnswerSyntaxError';
  }
}

type Token =
  | { kind: 'number'; text: string }
  | { kind: 'letter'; text: string }
  | { kind: 'command'; text: string }
  | { kind: 'begin'; text: string }
  | { kind: 'end'; text: string }
  | { kind: 'char'; text: string };

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'omicron', 'rho', 'varrho', 'sigma', 'varsigma', 'tau', 'upsilon', 'phi', 'varphi',
  'chi', 'psi', 'omega', 'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);

const FUNCTIONS: Record<string, FunctionName> = {
  sin: 'sin', cos: 'cos', tan: 'tan', sec: 'sec', csc: 'csc', cot: 'cot',
  arcsin: 'asin', arccos: 'acos', arctan: 'atan', asin: 'asin', acos: 'acos', atan: 'atan',
  arcsec: 'asec', arccsc: 'acsc', arccot: 'acot',
  sinh: 'sinh', cosh: 'cosh', tanh: 'tanh',
  ln: 'ln', log: 'log10', lg: 'log10', exp: 'exp', gcd: 'gcd', lcm: 'lcm',
};

const INVERSE: Partial<Record<FunctionName, FunctionName>> = {
  sin: 'asin', cos: 'acos', tan: 'atan', sec: 'asec', csc: 'acsc', cot: 'acot',
};

const RELATIONS: Record<string, RelationOperator> = { '=': '=', '<': '<', '>': '>', le: '<=', ge: '>=', ne: '!=' };

const MATRIX_ENVIRONMENTS = new Set(['pmatrix', 'bmatrix', 'Bmatrix', 'vmatrix', 'matrix', 'smallmatrix', 'array']);

const MAX_DEPTH = 120;
const MAX_TOKENS = 4_000;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index]!;
    if (/\s/.test(char)) {
      index++;
    } else if (/\d/.test(char) || (char === '.' && /\d/.test(text[index + 1] ?? ''))) {
      const match = /^\d*\.?\d+|^\d+/.exec(text.slice(index, index + 400))!;
      tokens.push({ kind: 'number', text: match[0] });
      index += match[0].length;
    } else if (/[A-Za-z]/.test(char)) {
      tokens.push({ kind: 'letter', text: char });
      index++;
    } else if (char === '\\') {
      const name = /^[A-Za-z]+/.exec(text.slice(index + 1, index + 40))?.[0];
      if (name === undefined) {
        const next = text[index + 1];
        if (next === undefined) throw new AnswerSyntaxError('a lone backslash');
        tokens.push({ kind: 'command', text: next === '\\' ? 'newline' : next });
        index += 2;
      } else {
        index += name.length + 1;
        if (name === 'begin' || name === 'end') {
          const environment = /^\s*\{([A-Za-z*]+)\}/.exec(text.slice(index, index + 40));
          if (environment === null) throw new AnswerSyntaxError(`\\${name} without an environment`);
          index += environment[0].length;
          tokens.push({ kind: name, text: environment[1]! });
          if (name === 'begin' && environment[1] === 'array') {
            const columns = /^\s*\{[^{}]*\}/.exec(text.slice(index, index + 60));
            if (columns) index += columns[0].length;
          }
        } else {
          tokens.push({ kind: 'command', text: name });
        }
      }
    } else {
      tokens.push({ kind: 'char', text: char });
      index++;
    }
    if (tokens.length > MAX_TOKENS) throw new AnswerSyntaxError('answer too long');
  }
  return tokens;
}

const OPENERS = new Set(['char:(', 'char:[', 'char:{', 'command:{', 'begin']);
const CLOSERS = new Set(['char:)', 'char:]', 'char:}', 'command:}', 'end']);

function tokenKey(token: Token): string {
  return token.kind === 'begin' || token.kind === 'end' ? token.kind : `${token.kind}:${token.text}`;
}

/**
 * For every opening bracket, the index of its closing bracket and whether a comma sits directly inside it, found in
 * one pass so the parser never needs to backtrack. `(` and `[` close with either `)` or `]` (intervals).
 */
function matchBrackets(tokens: Token[]): { close: Map<number, number>; comma: Set<number> } {
  const close = new Map<number, number>();
  const comma = new Set<number>();
  const stack: number[] = [];
  tokens.forEach((token, index) => {
    const key = tokenKey(token);
    if (OPENERS.has(key)) {
      stack.push(index);
    } else if (CLOSERS.has(key)) {
      const open = stack.pop();
      if (open !== undefined) close.set(open, index);
    } else if (token.kind === 'char' && (token.text === ',' || token.text === ';') && stack.length > 0) {
      comma.add(stack.at(-1)!);
    }
  });
  return { close, comma };
}

class AnswerParser {
  private position = 0;
  private depth = 0;
  private absoluteDepth = 0;
  private readonly brackets: { close: Map<number, number>; comma: Set<number> };

  private readonly hasMatrix: boolean;
  /** The indices of the sums and products being read (`\sum_{i=1}^{n} i` reads `i` as the index, not √-1). */
  private readonly indices: string[] = [];

  constructor(private readonly tokens: Token[]) {
    this.brackets = matchBrackets(tokens);
    this.hasMatrix = tokens.some((token) => token.kind === 'begin' && MATRIX_ENVIRONMENTS.has(token.text));
  }

  // ---- tokens ----------------------------------------------------------------------------------------------

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.position + offset];
  }

  private next(): Token {
    const token = this.tokens[this.position++];
    if (token === undefined) throw new AnswerSyntaxError('unexpected end');
    return token;
  }

  private isChar(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'char' && token.text === text;
  }

  private isCommand(text: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token?.kind === 'command' && token.text === text;
  }

  private expectChar(text: string): void {
    if (!this.isChar(text)) throw new AnswerSyntaxError(`expected "${text}"`);
    this.position++;
  }

  private expectCommand(text: string): void {
    if (!this.isCommand(text)) throw new AnswerSyntaxError(`expected "\\${text}"`);
    this.position++;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) throw new AnswerSyntaxError('nested too deeply');
  }

  private leave(): void {
    this.depth--;
  }

  private relationAhead(): RelationOperator | 'in' | 'approx' | null {
    const token = this.peek();
    if (token === undefined) return null;
    if (token.kind === 'char' && (token.text === '=' || token.text === '<' || token.text === '>')) return RELATIONS[token.text]!;
    if (token.kind === 'command') {
      if (token.text === 'in' || token.text === 'approx') return token.text;
      return RELATIONS[token.text] ?? null;
    }
    return null;
  }

  // ---- structure ---------------------------------------------------------------------------------------------

  parseTopLevel(): Answer {
    const items = [this.parseItem()];
    while (this.isChar(',') || this.isChar(';')) {
      this.position++;
      items.push(this.parseItem());
    }
    if (this.position < this.tokens.length) throw new AnswerSyntaxError(`unexpected "${this.peek()!.text}"`);
    return items.length === 1 ? items[0]! : { kind: 'list', items };
  }

  private parseItem(): Answer {
    this.enter();
    // `\approx 0.29`: an approximation with nothing before it
    if (this.isCommand('approx')) {
      this.position++;
      const value = this.parseItem();
      this.leave();
      return { kind: 'approximate', value };
    }
    let first = this.parseUnion();
    // a ratio 3:1 is the quotient 3/1
    if (this.isChar(':') && first.kind === 'expression') {
      this.position++;
      first = { kind: 'expression', expr: { type: 'operator', operator: '/', left: first.expr, right: this.parseExpression() } };
    }
    const operands = [first];
    const operators: (RelationOperator | 'approx')[] = [];
    for (let relation = this.relationAhead(); relation !== null; relation = this.relationAhead()) {
      this.position++;
      const operand = this.parseUnion();
      if (relation === 'in') {
        // x \in S: the answer is S
        if (operators.length > 0) throw new AnswerSyntaxError('\\in inside a chain');
        operands[0] = operand;
        continue;
      }
      operators.push(relation);
      operands.push(operand);
    }
    this.leave();
    return relationOf(operands, operators);
  }

  private parseUnion(): Answer {
    const parts = [this.parseStructure()];
    for (;;) {
      if (this.isCommand('cup')) {
        this.position++;
        parts.push(this.parseStructure());
      } else if (this.isCommand('setminus')) {
        // \mathbb{R} \setminus \{0\}: the intervals left when the points are taken out
        this.position++;
        const base = parts.length === 1 ? parts[0]! : { kind: 'union' as const, parts: parts.splice(0) };
        parts.splice(0, parts.length, withoutPoints(base, this.parseStructure()));
      } else {
        break;
      }
    }
    return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
  }

  private parseStructure(): Answer {
    const token = this.peek();
    if (token === undefined) throw new AnswerSyntaxError('missing answer');
    if (token.kind === 'command' && token.text === 'emptyset') {
      this.position++;
      return { kind: 'set', items: [] };
    }
    if (this.hasMatrix && this.matrixAhead()) return this.parseMatrixSum();
    const isSequenceOpen = (token.kind === 'char' && (token.text === '(' || token.text === '[')) || (token.kind === 'command' && token.text === '{');
    if (isSequenceOpen) {
      if (token.kind === 'command') return this.parseSet();
      if (this.brackets.comma.has(this.position)) return this.parseTuple();
    }
    return { kind: 'expression', expr: this.parseExpression() };
  }

  // ---- matrices and their arithmetic ---------------------------------------------------------------------------

  /** Whether a matrix starts here (`\begin{pmatrix}`, or `(\begin{array}…\end{array})`). */
  private matrixStartsAt(offset: number): boolean {
    const token = this.peek(offset);
    if (token?.kind === 'begin') return MATRIX_ENVIRONMENTS.has(token.text);
    const inner = this.peek(offset + 1);
    return token?.kind === 'char' && (token.text === '(' || token.text === '[') && inner?.kind === 'begin' && MATRIX_ENVIRONMENTS.has(inner.text);
  }

  /**
   * Whether this structure holds a matrix at its top level before it ends (at a comma, a relation, `\cup` or a closing
   * bracket): `\begin{pmatrix}…`, `2\begin{pmatrix}…`, `A + B`. Bracket groups are skipped through their matching
   * closer, so the look-ahead costs the structure's length.
   */
  private matrixAhead(): boolean {
    for (let index = this.position; index < this.tokens.length; index++) {
      if (this.matrixStartsAt(index - this.position)) return true;
      const token = this.tokens[index]!;
      const key = tokenKey(token);
      if (OPENERS.has(key)) {
        const close = this.brackets.close.get(index);
        if (close === undefined) return false;
        index = close;
      } else if (CLOSERS.has(key) || (token.kind === 'char' && ',;=<>&'.includes(token.text)) || (token.kind === 'command' && (token.text in RELATIONS || ['cup', 'setminus', 'in', 'approx', 'newline'].includes(token.text)))) {
        return false;
      }
    }
    return false;
  }

  /** One matrix: an environment, or one in brackets `(\begin{array}…\end{array})`, with an integer power `^{2}`. */
  private parseMatrixAtom(): MatrixAnswer {
    let matrix: MatrixAnswer;
    if (this.peek()?.kind === 'begin') {
      matrix = this.parseMatrix();
    } else {
      this.position++;
      matrix = this.parseMatrix();
      if (!this.isChar(')') && !this.isChar(']')) throw new AnswerSyntaxError('unclosed matrix bracket');
      this.position++;
    }
    if (this.isChar('^')) {
      this.position++;
      const exponent = literalValue(this.parseScript());
      if (exponent === null || exponent.denominator !== 1n || exponent.numerator < 1n || exponent.numerator > BigInt(MAX_MATRIX_POWER)) throw new AnswerSyntaxError('a matrix power must be a small whole number');
      let power = matrix;
      for (let step = 1n; step < exponent.numerator; step++) power = multiplyMatrices(power, matrix);
      matrix = power;
    }
    return matrix;
  }

  /**
   * A sum of matrix products, as the matrix it evaluates to: `A + B`, `2A - B`, `\frac12 A \cdot B`, `A^2` (A, B
   * matrices). Entries are added and multiplied as expressions (numbers exactly), so the result compares with a
   * matrix written out.
   */
  private parseMatrixSum(): Answer {
    let result = this.parseMatrixProduct();
    for (;;) {
      let sign: 1 | -1;
      if (this.isChar('+')) sign = 1;
      else if (this.isChar('-')) sign = -1;
      else break;
      this.position++;
      const term = this.parseMatrixProduct();
      result = addMatrices(result, sign === 1 ? term : scaleMatrix(MINUS_ONE, term));
    }
    return result;
  }

  /** `[-] [scalar [\cdot]] matrix ([\cdot|\times] matrix)*`. */
  private parseMatrixProduct(): MatrixAnswer {
    let scalar: Expr | null = null;
    if (this.isChar('-')) {
      this.position++;
      scalar = MINUS_ONE;
    }
    if (!this.matrixStartsAt(0)) {
      const factor = this.parsePower();
      scalar = scalar === null ? factor : { type: 'negate', argument: factor };
      if (this.isCommand('cdot') || this.isCommand('times') || this.isChar('*')) this.position++;
      if (!this.matrixStartsAt(0)) throw new AnswerSyntaxError('a matrix and a number added');
    }
    let product = this.parseMatrixAtom();
    for (;;) {
      const operator = this.isCommand('cdot') || this.isCommand('times') || this.isChar('*') ? 1 : 0;
      if (!this.matrixStartsAt(operator)) break;
      this.position += operator;
      product = multiplyMatrices(product, this.parseMatrixAtom());
    }
    return scalar === null ? product : scaleMatrix(scalar, product);
  }

  private parseTuple(): Answer {
    const open = this.next().text as '(' | '[';
    const items = [this.parseItem()];
    while (this.isChar(',') || this.isChar(';')) {
      this.position++;
      items.push(this.parseItem());
    }
    const close = this.next();
    if (close.kind !== 'char' || (close.text !== ')' && close.text !== ']')) throw new AnswerSyntaxError('unclosed tuple');
    return { kind: 'tuple', open, close: close.text, items };
  }

  private parseSet(): Answer {
    this.expectCommand('{');
    const items: Answer[] = [];
    if (!this.isCommand('}')) {
      items.push(this.parseItem());
      while (this.isChar(',') || this.isChar(';')) {
        this.position++;
        items.push(this.parseItem());
      }
    }
    this.expectCommand('}');
    return { kind: 'set', items };
  }

  private parseMatrix(): MatrixAnswer {
    const begin = this.next();
    const rows: Answer[][] = [[]];
    for (;;) {
      const token = this.peek();
      if (token === undefined) throw new AnswerSyntaxError('unclosed matrix');
      if (token.kind === 'end') {
        if (token.text !== begin.text) throw new AnswerSyntaxError('mismatched \\end');
        this.position++;
        break;
      }
      if (token.kind === 'command' && token.text === 'newline') {
        this.position++;
        rows.push([]);
        continue;
      }
      if (token.kind === 'char' && token.text === '&') {
        this.position++;
        continue;
      }
      rows.at(-1)!.push(this.parseItem());
      const after = this.peek();
      if (after !== undefined && !(after.kind === 'char' && after.text === '&') && !(after.kind === 'command' && after.text === 'newline') && after.kind !== 'end') {
        throw new AnswerSyntaxError('unexpected token in matrix');
      }
    }
    while (rows.length > 0 && rows.at(-1)!.length === 0) rows.pop();
    if (rows.length === 0) throw new AnswerSyntaxError('empty matrix');
    return { kind: 'matrix', rows };
  }

  // ---- expressions -------------------------------------------------------------------------------------------

  parseExpression(): Expr {
    this.enter();
    let left = this.parseTerm();
    for (;;) {
      let operator: '+' | '-' | 'pm' | 'mp' | null = null;
      if (this.isChar('+')) operator = '+';
      else if (this.isChar('-')) operator = '-';
      else if (this.isCommand('pm')) operator = 'pm';
      else if (this.isCommand('mp')) operator = 'mp';
      if (operator === null) break;
      this.position++;
      left = { type: 'operator', operator, left, right: this.parseTerm() };
    }
    this.leave();
    return left;
  }

  private parseTerm(): Expr {
    let left = this.parseUnary();
    for (;;) {
      if ((this.isChar('*') || this.isCommand('cdot') || this.isCommand('times')) && !(this.hasMatrix && this.matrixStartsAt(1))) {
        this.position++;
        left = { type: 'operator', operator: '*', left, right: this.parseUnary() };
      } else if (this.isChar('/') || this.isCommand('div')) {
        this.position++;
        left = { type: 'operator', operator: '/', left, right: this.parseUnary() };
      } else if (this.startsFactor()) {
        left = { type: 'operator', operator: '*', left, right: this.parsePower() };
      } else {
        return left;
      }
    }
  }

  private parseUnary(): Expr {
    this.enter();
    let result: Expr;
    if (this.isChar('-')) {
      this.position++;
      result = { type: 'negate', argument: this.parseUnary() };
    } else if (this.isChar('+')) {
      this.position++;
      result = this.parseUnary();
    } else if (this.isCommand('pm') || this.isCommand('mp')) {
      const operator = this.next().text as 'pm' | 'mp';
      result = { type: 'operator', operator, left: { type: 'number', value: '0' }, right: this.parseUnary() };
    } else {
      result = this.parsePower();
    }
    this.leave();
    return result;
  }

  /** Whether the next token starts a factor of an implicit product (`2x`, `3\sqrt2`, `x(x+1)`). */
  private startsFactor(): boolean {
    const token = this.peek();
    if (token === undefined) return false;
    switch (token.kind) {
      case 'number':
      case 'letter':
        return true;
      case 'char':
        return token.text === '(' || token.text === '{' || (token.text === '|' && this.absoluteDepth === 0);
      case 'command':
        return (
          ['frac', 'sqrt', 'binom', 'pi', 'infty', 'lfloor', 'lceil', 'operatorname', 'overline', 'sum', 'prod'].includes(token.text) ||
          GREEK.has(token.text) ||
          token.text in FUNCTIONS
        );
      default:
        return false;
    }
  }

  private parsePower(): Expr {
    this.enter();
    let base = this.parsePostfix();
    if (this.isChar('^')) {
      this.position++;
      base = { type: 'operator', operator: '^', left: base, right: this.parseScript() };
      while (this.isChar('!')) {
        this.position++;
        base = { type: 'call', name: 'factorial', args: [base] };
      }
    }
    this.leave();
    return base;
  }

  private parsePostfix(): Expr {
    let value = this.parsePrimary();
    while (this.isChar('!')) {
      this.position++;
      value = { type: 'call', name: 'factorial', args: [value] };
    }
    return value;
  }

  /** A superscript or subscript argument: `{…}`, or one character / command as LaTeX reads it (`x^23` = x²·3). */
  private parseScript(): Expr {
    const token = this.peek();
    if (token === undefined) throw new AnswerSyntaxError('missing exponent');
    if (token.kind === 'char' && token.text === '{') return this.parseBraced();
    if (token.kind === 'number') return this.takeDigit(token.text);
    if (token.kind === 'char' && token.text === '-') {
      this.position++;
      return { type: 'negate', argument: this.parseScript() };
    }
    return this.parsePrimary();
  }

  private parseBraced(): Expr {
    this.expectChar('{');
    const inner = this.parseExpression();
    this.expectChar('}');
    return inner;
  }

  /** The text of a subscript: `_1`, `_{10}`, `_{n}`. */
  private parseSubscriptText(): string {
    this.expectChar('_');
    if (this.isChar('{')) {
      this.position++;
      let text = '';
      while (!this.isChar('}')) {
        const token = this.next();
        if (!/^[A-Za-z0-9]+$/.test(token.text)) throw new AnswerSyntaxError('unsupported subscript');
        text += token.text;
      }
      this.position++;
      return text;
    }
    const token = this.next();
    if (!/^[A-Za-z0-9]+$/.test(token.text)) throw new AnswerSyntaxError('unsupported subscript');
    return token.text;
  }

  private parsePrimary(): Expr {
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return this.parseNumber(token.text);
      case 'letter': {
        if (this.isChar('_')) return { type: 'symbol', name: `${token.text}_${this.parseSubscriptText()}` };
        if (token.text === 'e' && !this.indices.includes('e')) return { type: 'constant', name: 'e' };
        if (token.text === 'i' && !this.indices.includes('i')) return { type: 'constant', name: 'i' };
        return { type: 'symbol', name: token.text };
      }
      case 'char':
        return this.parseBracketed(token.text);
      case 'command':
        return this.parseCommand(token.text);
      default:
        throw new AnswerSyntaxError(`unexpected \\${token.kind}{${token.text}}`);
    }
  }

  private parseNumber(text: string): Expr {
    // 0.\overline{3}, 0.1\overline{6}
    let fixed = text;
    if (this.isChar('.') && this.isCommand('overline', 1) && !text.includes('.')) {
      this.position++;
      fixed = `${text}.`;
    }
    if (this.isCommand('overline')) {
      this.position++;
      this.expectChar('{');
      const digits = this.next();
      if (digits.kind !== 'number' || !/^\d+$/.test(digits.text)) throw new AnswerSyntaxError('\\overline needs digits');
      this.expectChar('}');
      return repeatingDecimal(fixed, digits.text);
    }
    if (this.isChar('_')) {
      const base = this.parseSubscriptText();
      if (!/^\d+$/.test(base)) throw new AnswerSyntaxError('a base must be a whole number');
      return { type: 'based', digits: text, base: String(Number(base)) };
    }
    return { type: 'number', value: text };
  }

  private parseBracketed(open: string): Expr {
    if (open === '(' || open === '[' || open === '{') {
      const inner = this.parseExpression();
      const close = this.next();
      const expected = open === '{' ? ['}'] : [')', ']'];
      if (close.kind !== 'char' || !expected.includes(close.text)) throw new AnswerSyntaxError(`unclosed "${open}"`);
      return inner;
    }
    if (open === '|') {
      this.absoluteDepth++;
      const inner = this.parseExpression();
      this.absoluteDepth--;
      this.expectChar('|');
      return { type: 'call', name: 'abs', args: [inner] };
    }
    throw new AnswerSyntaxError(`unexpected "${open}"`);
  }

  private parseCommand(name: string): Expr {
    if (name === 'frac') {
      const numerator = this.parseGroup();
      const denominator = this.parseGroup();
      return { type: 'operator', operator: '/', left: numerator, right: denominator };
    }
    if (name === 'sqrt') {
      if (this.isChar('[')) {
        this.position++;
        const index = this.parseExpression();
        this.expectChar(']');
        return { type: 'call', name: 'nthRoot', args: [this.parseGroup(), index] };
      }
      return { type: 'call', name: 'sqrt', args: [this.parseGroup()] };
    }
    if (name === 'binom') return { type: 'call', name: 'binom', args: [this.parseGroup(), this.parseGroup()] };
    if (name === 'pi') return { type: 'constant', name: 'pi' };
    if (name === 'sum' || name === 'prod') return this.parseIndexed(name === 'sum' ? 'sum' : 'product');
    if (name === 'overline') {
      // a segment or arc named by its points: \overline{CD}
      this.expectChar('{');
      let points = '';
      while (!this.isChar('}')) {
        const token = this.next();
        if (token.kind !== 'letter') throw new AnswerSyntaxError('\\overline needs point names');
        points += token.text;
      }
      this.position++;
      return { type: 'symbol', name: `overline_${points}` };
    }
    if (name === 'infty') return { type: 'constant', name: 'infinity' };
    if (GREEK.has(name)) {
      if (this.isChar('_')) return { type: 'symbol', name: `${name}_${this.parseSubscriptText()}` };
      return { type: 'symbol', name };
    }
    if (name === 'lfloor' || name === 'lceil') {
      const inner = this.parseExpression();
      this.expectCommand(name === 'lfloor' ? 'rfloor' : 'rceil');
      return { type: 'call', name: name === 'lfloor' ? 'floor' : 'ceil', args: [inner] };
    }
    if (name === 'operatorname') {
      this.expectChar('{');
      let text = '';
      while (!this.isChar('}')) text += this.next().text;
      this.position++;
      const known = FUNCTIONS[text];
      if (known === undefined) throw new AnswerSyntaxError(`unknown function ${text}`);
      return this.parseFunction(known);
    }
    const known = FUNCTIONS[name];
    if (known !== undefined) return this.parseFunction(known);
    throw new AnswerSyntaxError(`unsupported command \\${name}`);
  }

  /**
   * `\sum_{k=1}^{n} body`, `\prod^{n}_{k=1} body` (limits in either order): the body is the product that follows
   * (`\sum_{k=1}^{n} 2k + 1` is (Σ 2k) + 1, as LaTeX is read).
   */
  private parseIndexed(operator: 'sum' | 'product'): Expr {
    let index: string | null = null;
    let from: Expr | null = null;
    let to: Expr | null = null;
    for (let limit = 0; limit < 2; limit++) {
      if (this.isChar('_') && index === null) {
        this.position++;
        const braced = this.isChar('{');
        if (braced) this.position++;
        const variable = this.next();
        if (variable.kind !== 'letter' && !(variable.kind === 'command' && GREEK.has(variable.text))) throw new AnswerSyntaxError('a sum needs an index');
        index = variable.text;
        this.expectChar('=');
        from = braced ? this.parseExpression() : this.parseScript();
        if (braced) this.expectChar('}');
      } else if (this.isChar('^') && to === null) {
        this.position++;
        to = this.parseScript();
      }
    }
    if (index === null || from === null || to === null) throw new AnswerSyntaxError('a sum needs its limits');
    // inside the body the index is a variable, also when it is `i` or `e`
    this.indices.push(index);
    const body = this.parseTerm();
    this.indices.pop();
    return { type: 'indexed', operator, index, from, to, body };
  }

  /** An argument of `\frac`, `\sqrt`, `\binom`: a brace group (normalisation puts braces around shorthand ones). */
  private parseGroup(): Expr {
    if (this.isChar('{')) return this.parseBraced();
    const token = this.peek();
    if (token?.kind === 'number') return this.takeDigit(token.text);
    return this.parsePrimary();
  }

  /**
   * LaTeX gives `^` and `\frac` one character when there are no braces: `x^23` is x²·3. The number token under the
   * cursor loses its first character (in place, so bracket indices stay valid); a single character is consumed.
   */
  private takeDigit(text: string): Expr {
    if (text.length > 1 && /^\d\d/.test(text)) {
      this.tokens[this.position] = { kind: 'number', text: text.slice(1) };
      return { type: 'number', value: text[0]! };
    }
    this.position++;
    return { type: 'number', value: text };
  }


  /** `\sin x`, `\sin(2x)`, `\sin^2 x`, `\sin^{-1} x`, `\log_2 8`, `\gcd(a, b)`. */
  private parseFunction(name: FunctionName): Expr {
    let power: Expr | null = null;
    let base: Expr | null = null;
    let resolved = name;
    for (;;) {
      if (this.isChar('^') && power === null) {
        this.position++;
        const exponent = this.parseScript();
        const inverse = INVERSE[resolved];
        if (inverse !== undefined && exponent.type === 'negate' && exponent.argument.type === 'number' && exponent.argument.value === '1') {
          resolved = inverse;
        } else {
          power = exponent;
        }
      } else if (this.isChar('_') && (resolved === 'log10' || resolved === 'ln') && base === null) {
        this.position++;
        base = this.isChar('{') ? this.parseBraced() : this.parseScript();
      } else {
        break;
      }
    }
    let args: Expr[];
    if (resolved === 'gcd' || resolved === 'lcm') {
      this.expectChar('(');
      args = [this.parseExpression()];
      while (this.isChar(',')) {
        this.position++;
        args.push(this.parseExpression());
      }
      this.expectChar(')');
    } else if (this.isChar('(')) {
      this.position++;
      args = [this.parseExpression()];
      const close = this.next();
      if (close.kind !== 'char' || (close.text !== ')' && close.text !== ']')) throw new AnswerSyntaxError('unclosed "("');
    } else {
      args = [this.parseFunctionOperand()];
    }
    let call: Expr = base === null ? { type: 'call', name: resolved, args } : { type: 'call', name: 'logBase', args: [args[0]!, base] };
    if (power !== null) call = { type: 'operator', operator: '^', left: call, right: power };
    return call;
  }

  /** The operand of `\sin 2x`: an implicit product that stops before the next function (`\sin x \cos x`). */
  private parseFunctionOperand(): Expr {
    let operand = this.parsePower();
    while (this.startsFactor() && !(this.peek()!.kind === 'command' && this.peek()!.text in FUNCTIONS)) {
      operand = { type: 'operator', operator: '*', left: operand, right: this.parsePower() };
    }
    return operand;
  }
}

type MatrixAnswer = Extract<Answer, { kind: 'matrix' }>;

/** How large a matrix product may get (rows, columns, entry size) and the largest power written out. */
const MAX_MATRIX_SIDE = 12;
const MAX_ENTRY_NODES = 2_000;
const MAX_MATRIX_POWER = 8;
const MINUS_ONE: Expr = { type: 'negate', argument: { type: 'number', value: '1' } };

/** A rational as a literal expression: `7`, `-\frac{3}{4}` (as `-(3/4)`). */
function rationalExpr(value: Rational): Expr {
  const magnitude = value.numerator < 0n ? -value.numerator : value.numerator;
  const whole: Expr = { type: 'number', value: String(magnitude) };
  const unsigned: Expr = value.denominator === 1n ? whole : { type: 'operator', operator: '/', left: whole, right: { type: 'number', value: String(value.denominator) } };
  return value.numerator < 0n ? { type: 'negate', argument: unsigned } : unsigned;
}

/** What matrix arithmetic knows of an entry: its size in nodes and its value when it is a literal. */
interface EntryInfo {
  nodes: number;
  value: Rational | null;
}

const entryInfos = new WeakMap<Expr, EntryInfo>();
/** Combinations one parse may make (a 12×12 product is 1,728 multiplications and as many additions). */
const MAX_MATRIX_WORK = 6_000;
let matrixWork = MAX_MATRIX_WORK;

function infoOf(expr: Expr): EntryInfo {
  let info = entryInfos.get(expr);
  if (info === undefined) {
    info = { nodes: countNodes(expr), value: literalValue(expr) };
    entryInfos.set(expr, info);
  }
  return info;
}

/**
 * `left op right`, folded to a number when both are literals (so numeric matrices stay small). Each entry's size and
 * value are known from its parts, so a combination costs the same whatever the entries hold.
 */
function combine(operator: '+' | '*', left: Expr, right: Expr): Expr {
  if (--matrixWork < 0) throw new AnswerSyntaxError('too much matrix arithmetic');
  const a = infoOf(left);
  const b = infoOf(right);
  if (a.value !== null && b.value !== null && a.value.denominator === 1n && b.value.denominator === 1n) {
    const value = { numerator: operator === '+' ? a.value.numerator + b.value.numerator : a.value.numerator * b.value.numerator, denominator: 1n };
    const folded = rationalExpr(value);
    entryInfos.set(folded, { nodes: folded.type === 'number' ? 1 : 2, value });
    return folded;
  }
  if (a.value !== null && b.value !== null) {
    const numerator = operator === '+' ? a.value.numerator * b.value.denominator + b.value.numerator * a.value.denominator : a.value.numerator * b.value.numerator;
    const denominator = a.value.denominator * b.value.denominator;
    let x = numerator < 0n ? -numerator : numerator;
    let y = denominator;
    while (y !== 0n) [x, y] = [y, x % y];
    const divisor = x === 0n ? 1n : x;
    const value = { numerator: numerator / divisor, denominator: denominator / divisor };
    const folded = rationalExpr(value);
    entryInfos.set(folded, { nodes: countNodes(folded), value });
    return folded;
  }
  const nodes = a.nodes + b.nodes + 1;
  if (nodes > MAX_ENTRY_NODES) throw new AnswerSyntaxError('a matrix entry grows too large');
  const result: Expr = { type: 'operator', operator, left, right };
  entryInfos.set(result, { nodes, value: null });
  return result;
}

function entryOf(answer: Answer): Expr {
  if (answer.kind !== 'expression') throw new AnswerSyntaxError('matrix arithmetic needs expression entries');
  return answer.expr;
}

function matrixOf(rows: Expr[][]): MatrixAnswer {
  return { kind: 'matrix', rows: rows.map((row) => row.map((expr) => ({ kind: 'expression', expr }) as Answer)) };
}

function addMatrices(a: MatrixAnswer, b: MatrixAnswer): MatrixAnswer {
  if (a.rows.length !== b.rows.length || a.rows.some((row, index) => row.length !== b.rows[index]!.length)) throw new AnswerSyntaxError('matrices of different sizes added');
  return matrixOf(a.rows.map((row, i) => row.map((entry, j) => combine('+', entryOf(entry), entryOf(b.rows[i]![j]!)))));
}

function scaleMatrix(scalar: Expr, matrix: MatrixAnswer): MatrixAnswer {
  return matrixOf(matrix.rows.map((row) => row.map((entry) => combine('*', scalar, entryOf(entry)))));
}

function multiplyMatrices(a: MatrixAnswer, b: MatrixAnswer): MatrixAnswer {
  const inner = b.rows.length;
  const columns = b.rows[0]!.length;
  if (a.rows.some((row) => row.length !== inner) || b.rows.some((row) => row.length !== columns)) throw new AnswerSyntaxError('matrices that do not multiply');
  if (a.rows.length > MAX_MATRIX_SIDE || columns > MAX_MATRIX_SIDE || inner > MAX_MATRIX_SIDE) throw new AnswerSyntaxError('matrices too large to multiply');
  return matrixOf(
    a.rows.map((row) =>
      Array.from({ length: columns }, (_, j) => {
        let sum: Expr | null = null;
        for (let k = 0; k < inner; k++) {
          const term = combine('*', entryOf(row[k]!), entryOf(b.rows[k]![j]!));
          sum = sum === null ? term : combine('+', sum, term);
        }
        return sum!;
      }),
    ),
  );
}

const INFINITE_END = (expr: Expr): -1 | 1 | null => {
  if (expr.type === 'constant' && expr.name === 'infinity') return 1;
  if (expr.type === 'negate' && expr.argument.type === 'constant' && expr.argument.name === 'infinity') return -1;
  return null;
};

function compareRationals(a: Rational, b: Rational): number {
  const difference = a.numerator * b.denominator - b.numerator * a.denominator;
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/**
 * `S \setminus \{p, q\}` for an interval S with numeric or infinite ends and numeric points: the intervals left
 * (`(-\infty,\infty) \setminus \{0\}` = `(-\infty,0) \cup (0,\infty)`). Anything else is not read (text).
 */
export function withoutPoints(base: Answer, removed: Answer): Answer {
  if (base.kind !== 'tuple' || base.items.length !== 2) throw new AnswerSyntaxError('\\setminus needs an interval');
  const points = removed.kind === 'set' ? removed.items : removed.kind === 'expression' ? [removed] : null;
  if (points === null) throw new AnswerSyntaxError('\\setminus needs a set of points');
  const [low, high] = base.items.map((item) => (item.kind === 'expression' ? item.expr : null));
  if (low == null || high == null) throw new AnswerSyntaxError('\\setminus needs an interval');
  const lowValue = INFINITE_END(low) === -1 ? null : literalValue(low);
  const highValue = INFINITE_END(high) === 1 ? null : literalValue(high);
  if ((lowValue === null && INFINITE_END(low) !== -1) || (highValue === null && INFINITE_END(high) !== 1)) throw new AnswerSyntaxError('\\setminus needs numeric ends');
  const values = points.map((point) => {
    const value = point.kind === 'expression' ? literalValue(point.expr) : null;
    if (value === null) throw new AnswerSyntaxError('\\setminus needs numeric points');
    return { expr: (point as { expr: Expr }).expr, value };
  });
  values.sort((a, b) => compareRationals(a.value, b.value));
  let open: '(' | '[' = base.open;
  let start: Expr = low;
  const parts: Answer[] = [];
  let previous: Rational | null = null;
  for (const { expr, value } of values) {
    if (previous !== null && compareRationals(previous, value) === 0) continue;
    previous = value;
    const afterLow = lowValue === null || compareRationals(value, lowValue) > 0 || (compareRationals(value, lowValue) === 0 && open === '[');
    const beforeHigh = highValue === null || compareRationals(value, highValue) < 0 || (compareRationals(value, highValue) === 0 && base.close === ']');
    if (!afterLow || !beforeHigh) continue;
    if (lowValue !== null && compareRationals(value, lowValue) === 0) {
      open = '(';
      continue;
    }
    if (highValue !== null && compareRationals(value, highValue) === 0) break;
    parts.push({ kind: 'tuple', open, close: ')', items: [{ kind: 'expression', expr: start }, { kind: 'expression', expr }] });
    open = '(';
    start = expr;
  }
  const closesAt = highValue !== null && previous !== null && compareRationals(previous, highValue) === 0 && base.close === ']' ? ')' : base.close;
  parts.push({ kind: 'tuple', open, close: closesAt, items: [{ kind: 'expression', expr: start }, { kind: 'expression', expr: high }] });
  return parts.length === 1 ? parts[0]! : { kind: 'union', parts };
}

/** Whether an answer names something (`r`, `g(t)`, `(p, q)`) rather than giving a value. */
function isLabelAnswer(answer: Answer): boolean {
  const isSymbols = (expr: Expr): boolean => expr.type === 'symbol' || (expr.type === 'operator' && expr.operator === '*' && isSymbols(expr.left) && isSymbols(expr.right));
  if (answer.kind === 'expression') return isSymbols(answer.expr);
  return answer.kind === 'tuple' && answer.items.every((item) => item.kind === 'expression' && item.expr.type === 'symbol');
}

/**
 * A chain as the answer it states. With `\approx` in it, the part before the first `\approx` is the answer
 * (`t = \frac27 \approx 0.29` → `t = \frac27`, `\frac27 \approx 0.29` → `\frac27`), unless it only names the value:
 * `r \approx 5` is an approximation of 5.
 */
function relationOf(operands: Answer[], operators: (RelationOperator | 'approx')[]): Answer {
  if (operators.length === 0) return operands[0]!;
  const approx = operators.indexOf('approx');
  if (approx === -1) return { kind: 'relation', operands, operators: operators as RelationOperator[] };
  if (approx === 0) return isLabelAnswer(operands[0]!) ? { kind: 'approximate', value: operands[1]! } : operands[0]!;
  return { kind: 'relation', operands: operands.slice(0, approx + 1), operators: operators.slice(0, approx) as RelationOperator[] };
}

function repeatingDecimal(fixed: string, repeat: string): Expr {
  const [integer = '0', decimals = ''] = fixed.split('.');
  // x = integer.decimals(repeat)…  →  (integer·decimals·repeat − integer·decimals) / (10^|decimals| · (10^|repeat| − 1))
  const all = BigInt(`${integer || '0'}${decimals}${repeat}`);
  const head = BigInt(`${integer || '0'}${decimals}`);
  const denominator = 10n ** BigInt(decimals.length) * (10n ** BigInt(repeat.length) - 1n);
  return { type: 'repeating', numerator: String(all - head), denominator: String(denominator) };
}

/** Words: an answer made of letters only (`Evelyn`, `east`, `nosolution` once spaces are gone), or yes/no. */
function isTextAnswer(normalized: string): boolean {
  return /^[A-Za-z]+$/.test(normalized) && (normalized.length >= 3 || /^(?:no|yes)$/i.test(normalized));
}

/** Expands `±` in expressions into lists of their variants (`1 \pm \sqrt{19}` → two answers). */
function expandAnswer(answer: Answer): Answer {
  switch (answer.kind) {
    case 'expression': {
      if (!hasPlusMinus(answer.expr)) return answer;
      const variants = expandPlusMinus(answer.expr);
      return variants.length === 1 ? { kind: 'expression', expr: variants[0]! } : { kind: 'list', items: variants.map((expr) => ({ kind: 'expression', expr })) };
    }
    case 'list':
    case 'set': {
      const items = answer.items.map(expandAnswer).flatMap((item) => (item.kind === 'list' ? item.items : [item]));
      return { ...answer, items };
    }
    case 'relation': {
      const operands = answer.operands.map(expandAnswer);
      const last = operands.at(-1)!;
      // x = 3 \pm \sqrt2  →  x = 3+√2, x = 3−√2
      if (answer.operators.length === 1 && last.kind === 'list' && operands[0]!.kind !== 'list') {
        return { kind: 'list', items: last.items.map((item) => ({ kind: 'relation', operands: [operands[0]!, item], operators: answer.operators })) };
      }
      return { ...answer, operands };
    }
    case 'tuple':
      return { ...answer, items: answer.items.map(expandAnswer) };
    case 'union':
      return { ...answer, parts: answer.parts.map(expandAnswer) };
    case 'matrix':
      return { ...answer, rows: answer.rows.map((row) => row.map(expandAnswer)) };
    case 'approximate':
      return { ...answer, value: expandAnswer(answer.value) };
    case 'text':
      return answer;
  }
}

/**
 * The structure of a normalised answer. Throws AnswerSyntaxError for text it cannot read as mathematics; callers
 * then compare the answer as text.
 */
export function parseAnswer(normalized: string): Answer {
  if (isTextAnswer(normalized)) return { kind: 'text', text: normalized.toLowerCase() };
  const tokens = tokenize(normalized);
  if (tokens.length === 0) throw new AnswerSyntaxError('empty answer');
  matrixWork = MAX_MATRIX_WORK;
  return expandAnswer(new AnswerParser(tokens).parseTopLevel());
}
