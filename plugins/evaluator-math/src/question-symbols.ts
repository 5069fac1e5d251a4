/** Greek letters the answer parser reads as symbols (`\alpha` → `alpha`). */
const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega',
]);

/** How much of a question is read for its symbols. */
const MAX_QUESTION_LENGTH = 20_000;
const SYMBOL = /\\([A-Za-z]+)(?:_\{?([A-Za-z0-9]+)\}?)?|([A-Za-z])(?:_\{?([A-Za-z0-9]+)\}?)?/g;

/**
 * The symbols a question's mathematics names, in the order it first names them, as the answer parser names them
 * (`$a$`, `x_{1}` → `x_1`, `\alpha` → `alpha`): `Find $a$ and $b$ such that …` → `['a', 'b']`. Only text inside math
 * delimiters counts (`a` in a sentence is a word). Linear in the question's length.
 */
export function questionSymbols(question: string): string[] {
  const text = question.slice(0, MAX_QUESTION_LENGTH).replace(/\\[()[\]]/g, '$');
  const parts = text.split(/\$+/);
  const seen = new Set<string>();
  const symbols: string[] = [];
  for (let index = 1; index < parts.length; index += 2) {
    // words inside \text{…} are not symbols
    const math = parts[index]!.replace(/\\(?:text|mathrm|mbox|textbf|operatorname)\s*\{[^{}]*\}/g, ' ');
    for (const match of math.matchAll(SYMBOL)) {
      const base = match[1] ?? match[3]!;
      if (match[1] !== undefined && !GREEK.has(base)) continue;
      const subscript = match[2] ?? match[4];
      const name = subscript === undefined ? base : `${base}_${subscript}`;
      if (!seen.has(name)) {
        seen.add(name);
        symbols.push(name);
      }
    }
  }
  return symbols;
}
