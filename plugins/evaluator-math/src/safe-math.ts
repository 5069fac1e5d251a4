import { createRequire } from 'node:module';
import type { ConstantNode, FunctionNode, MathJsInstance, MathNode, OperatorNode, SymbolNode } from 'mathjs';

/**
 * A dedicated mathjs instance for untrusted answers, set up as the mathjs security guide asks: `import`,
 * `createUnit`, `reviver`, `evaluate`, `compile`, `parse`, `simplify`, `rationalize`, `derivative` and `resolve` are
 * disabled on the instance (so no expression can reach them), and the only ways in are `parseSafe` (parse, then walk
 * an allow-list of node types, operators, functions and symbols) and the symbolic helpers below, which take nodes
 * that passed that walk. Numbers parse as exact fractions (`number: 'Fraction'`), so `0.1` is 1/10 and a 30-digit
 * integer stays exact.
 *
 * The instance is built from mathjs's single-file bundle (an exported entry point of the package): it loads in about
 * a tenth of the time of the many-file ESM build, which matters because every worker thread loads it.
 */

interface MathjsBundle {
  /** The bundle's `create` is bound to every mathjs factory. */
  create(): MathJsInstance;
}

export class UnsafeExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeExpressionError';
  }
}

/** Functions an answer may use (mathjs names). */
export const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'sqrt', 'nthRoot', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'asin', 'acos', 'atan', 'asec', 'acsc', 'acot',
  'sinh', 'cosh', 'tanh', 'log', 'log10', 'exp', 'abs', 'floor', 'ceil', 'factorial', 'combinations', 'gcd', 'lcm',
]);
const ALLOWED_OPERATORS: ReadonlySet<string> = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus', 'factorial']);
const ALLOWED_CONSTANTS: ReadonlySet<string> = new Set(['pi', 'e', 'i', 'Infinity']);
const VARIABLE_NAME = /^v_[A-Za-z0-9_]{1,40}$/;
const MAX_SYNTAX_LENGTH = 20_000;

interface SafeMath {
  math: MathJsInstance;
  parse: (syntax: string) => MathNode;
  simplify: (node: MathNode) => MathNode;
  rationalize: (node: MathNode) => MathNode;
}

let shared: SafeMath | undefined;

function createSafeMath(): SafeMath {
  const require = createRequire(import.meta.url);
  const bundle = require('mathjs/lib/browser/math.js') as MathjsBundle;
  const math = bundle.create();
  math.config({ number: 'Fraction', precision: 50 });
  const parse = math.parse.bind(math) as (syntax: string) => MathNode;
  const simplify = math.simplify.bind(math) as (node: MathNode) => MathNode;
  const rationalize = math.rationalize.bind(math) as (node: MathNode) => MathNode;
  const disabled = (name: string) =>
    function disabledFunction(): never {
      throw new UnsafeExpressionError(`${name} is disabled`);
    };
  const names = ['import', 'createUnit', 'reviver', 'evaluate', 'compile', 'parse', 'simplify', 'rationalize', 'derivative', 'resolve'];
  math.import(Object.fromEntries(names.map((name) => [name, disabled(name)])), { override: true });
  return { math, parse, simplify, rationalize };
}

/** The shared instance (created on first use). */
export function safeMath(): SafeMath {
  shared ??= createSafeMath();
  return shared;
}

/** Throws UnsafeExpressionError unless every node is an allowed constant, variable, operator or function call. */
export function assertAllowed(root: MathNode): void {
  const { math } = safeMath();
  root.traverse((node, path) => {
    switch (node.type) {
      case 'ConstantNode': {
        if (!math.isFraction((node as ConstantNode<never>).value)) throw new UnsafeExpressionError('only numeric constants');
        return;
      }
      case 'SymbolNode': {
        const name = (node as SymbolNode).name;
        if (path === 'fn') {
          if (!ALLOWED_FUNCTIONS.has(name)) throw new UnsafeExpressionError(`function ${name} is not allowed`);
          return;
        }
        if (!ALLOWED_CONSTANTS.has(name) && !VARIABLE_NAME.test(name)) throw new UnsafeExpressionError(`symbol ${name} is not allowed`);
        return;
      }
      case 'OperatorNode': {
        if (!ALLOWED_OPERATORS.has((node as OperatorNode).fn)) throw new UnsafeExpressionError(`operator ${(node as OperatorNode).fn} is not allowed`);
        return;
      }
      case 'FunctionNode': {
        const fn = (node as FunctionNode).fn as MathNode;
        if (fn.type !== 'SymbolNode') throw new UnsafeExpressionError('only calls of functions by name are allowed');
        if (!ALLOWED_FUNCTIONS.has((fn as SymbolNode).name)) throw new UnsafeExpressionError(`function ${(fn as SymbolNode).name} is not allowed`);
        return;
      }
      case 'ParenthesisNode':
        return;
      default:
        // AssignmentNode, FunctionAssignmentNode, AccessorNode, IndexNode, ObjectNode, ArrayNode, BlockNode, …
        throw new UnsafeExpressionError(`${node.type} is not allowed`);
    }
  });
}

const parsedCache = new Map<string, MathNode>();
const PARSED_CACHE_SIZE = 2_000;

/** Parses mathjs syntax and checks the tree against the allow-list (cached; the tree must not be mutated). */
export function parseSafe(syntax: string): MathNode {
  const cached = parsedCache.get(syntax);
  if (cached !== undefined) return cached;
  if (syntax.length > MAX_SYNTAX_LENGTH) throw new UnsafeExpressionError('expression too long');
  const node = safeMath().parse(syntax);
  assertAllowed(node);
  if (parsedCache.size >= PARSED_CACHE_SIZE) parsedCache.clear();
  parsedCache.set(syntax, node);
  return node;
}

/** Whether `a - b` simplifies to 0 with mathjs `rationalize` (rational forms) or `simplify` (everything else). */
export function symbolicallyZero(difference: MathNode): boolean {
  assertAllowed(difference);
  const { rationalize, simplify } = safeMath();
  for (const attempt of [rationalize, simplify]) {
    try {
      const result = attempt(difference);
      if (result.type === 'ConstantNode' && Number((result as ConstantNode<never>).value) === 0) return true;
      // rationalize leaves `0 / (x - 1)` when a removable factor cancels
      if (result.type === 'OperatorNode' && (result as OperatorNode).fn === 'divide') {
        const numerator = (result as OperatorNode).args[0]!;
        if (numerator.type === 'ConstantNode' && Number((numerator as ConstantNode<never>).value) === 0) return true;
      }
    } catch {
      // not a rational form, or a rule mathjs cannot apply: try the next method
    }
  }
  return false;
}
