import { unescapeLatex } from './escaped-latex.js';
import { matchingBrace } from './find-answer.js';
import type { EquivalenceOptions } from './math-evaluator-options.js';

export type NormalizeOptions = Pick<EquivalenceOptions, 'percent' | 'mixedNumbers' | 'stripUnits' | 'decimalComma'>;

const DEFAULT_NORMALIZE_OPTIONS: NormalizeOptions = { percent: 'ignore-sign', mixedNumbers: true, stripUnits: true, decimalComma: 'auto' };

/** Words read as units when they trail a number (`5 cm`, `18 square feet`); longer words are units anyway. */
const SHORT_UNITS = new Set(['cm', 'mm', 'km', 'm', 'ft', 'in', 'mi', 'yd', 'kg', 'mg', 'g', 'lb', 'lbs', 'oz', 'hr', 'hrs', 'h', 's', 'sec', 'min', 'ml', 'l', 'mph', 'sq', 'cu', 'units', 'unit']);
/** Trailing words that are never units: list connectors and words an answer can consist of. */
const NOT_UNITS = new Set(['and', 'or', 'to', 'is', 'are', 'of', 'no', 'yes', 'not', 'none', 'odd', 'even', 'only', 'both']);

const ROW_BREAK = '\uE000';

const TEXT_COMMANDS = 'text|textbf|textit|textrm|textnormal|textsf|texttt|mbox|mathrm|mathbf|mathit|mathsf|mathtt|hbox|emph';

const UNICODE: [RegExp, string][] = [
  [/[\u2212\u2013\u2014]/g, '-'],
  [/\u00d7/g, '\\times '],
  [/[\u00b7\u22c5\u2219]/g, '\\cdot '],
  [/\u00f7/g, '\\div '],
  [/\u221b/g, '\\sqrt[3]'],
  [/\u221c/g, '\\sqrt[4]'],
  [/\u221a/g, '\\sqrt'],
  [/\u03c0/g, '\\pi '],
  [/\u221e/g, '\\infty '],
  [/\u2264/g, '\\le '],
  [/\u2265/g, '\\ge '],
  [/\u2260/g, '\\ne '],
  [/\u2248/g, '\\approx '],
  [/\u00b1/g, '\\pm '],
  [/\u2213/g, '\\mp '],
  [/\u222a/g, '\\cup '],
  [/\u2229/g, '\\cap '],
  [/\u2208/g, '\\in '],
  [/\u2205/g, '\\emptyset '],
  [/\u211d/g, '\\mathbb{R}'],
  [/\u2223/g, '\\mid '],
  [/\u00b0/g, '^\\circ'],
  [/\u00a0|\u202f|\u2009/g, ' '],
];

const GREEK: Record<string, string> = { α: 'alpha', β: 'beta', γ: 'gamma', θ: 'theta', λ: 'lambda', μ: 'mu', σ: 'sigma', φ: 'phi', ω: 'omega' };
const SUPERSCRIPTS: Record<string, string> = { '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', '⁻': '-', '⁺': '+' };
const VULGAR_FRACTIONS: Record<string, string> = { '½': '1}{2', '⅓': '1}{3', '⅔': '2}{3', '¼': '1}{4', '¾': '3}{4', '⅕': '1}{5', '⅖': '2}{5', '⅗': '3}{5', '⅘': '4}{5', '⅙': '1}{6', '⅚': '5}{6', '⅛': '1}{8', '⅜': '3}{8', '⅝': '5}{8', '⅞': '7}{8' };

/** Unicode math: `≤ × √ π`, superscript digits (`x²` → `x^{2}`), vulgar fractions (`1½` → `1\frac{1}{2}`). */
function replaceUnicode(text: string): string {
  if (!/[^\t\n\r -~]/.test(text)) return text;
  let current = text;
  for (const [pattern, replacement] of UNICODE) current = current.replace(pattern, replacement);
  current = current.replace(/[αβγθλμσφω]/g, (letter) => `\\${GREEK[letter]} `);
  current = current.replace(/[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+/g, (run) => `^{${[...run].map((char) => SUPERSCRIPTS[char]).join('')}}`);
  return current.replace(/[½⅓⅔¼¾⅕⅖⅗⅘⅙⅚⅛⅜⅝⅞]/g, (char) => `\\frac{${VULGAR_FRACTIONS[char]}}`);
}

/** Removes delimiters around the whole answer: `$…$`, `\(…\)`, `\[…\]`, `\boxed{…}`, `{…}`. */
function stripWrappers(text: string): string {
  let current = text.trim();
  for (let round = 0; round < 16; round++) {
    const before = current;
    for (const [open, close] of [
      ['$$', '$$'],
      ['$', '$'],
      ['\\(', '\\)'],
      ['\\[', '\\]'],
    ] as const) {
      if (current.length >= open.length + close.length && current.startsWith(open) && current.endsWith(close)) {
        current = current.slice(open.length, current.length - close.length).trim();
      }
    }
    const box = /^\\(?:boxed|fbox)\s*\{/.exec(current);
    if (box && matchingBrace(current, box[0].length - 1) === current.length) {
      current = current.slice(box[0].length, -1).trim();
    }
    if (current.startsWith('{') && matchingBrace(current, 0) === current.length) current = current.slice(1, -1).trim();
    if (current === before) return current;
  }
  return current;
}

const TEXT_COMMAND_OPEN = new RegExp(`\\\\(?:${TEXT_COMMANDS})\\s*\\{`, 'g');
const TRAILING_TEXT_UNIT = new RegExp(`\\\\(?:${TEXT_COMMANDS})\\s*\\{\\s*([A-Za-z][A-Za-z .]*)\\}\\s*(?:\\^\\s*\\{?\\s*[23]\\s*\\}?)?\\s*$`);
const TEXT_ORDINAL = new RegExp(`\\^\\s*\\{?\\s*\\\\(?:${TEXT_COMMANDS})\\s*\\{\\s*(?:st|nd|rd|th)\\s*\\}\\s*\\}?`, 'g');

/** Replaces `\text{content}` and the other text commands (brace-matched) by what `replace` returns. */
function replaceTextGroups(text: string, replace: (content: string) => string): string {
  const pattern = TEXT_COMMAND_OPEN;
  let output = '';
  let position = 0;
  for (;;) {
    pattern.lastIndex = position;
    const match = pattern.exec(text);
    if (match === null) break;
    const open = match.index + match[0].length - 1;
    const end = matchingBrace(text, open);
    if (end === -1) break;
    output += text.slice(position, match.index) + replace(text.slice(open + 1, end - 1));
    position = end;
  }
  return output + text.slice(position);
}

/** A unit word: a known short unit, or any word of three letters or more that is not a connector. */
function isUnitWord(word: string): boolean {
  const bare = word.replace(/\.$/, '').toLowerCase();
  if (!/^[a-z]+$/.test(bare) || NOT_UNITS.has(bare)) return false;
  return SHORT_UNITS.has(bare) || bare.length >= 3;
}

/** Drops unit words after a number: `5.4 \text{ cents}`, `864 \mbox{ inches}^2`, `135 square feet`. */
function stripTrailingUnits(text: string): string {
  // units written as text: drop a trailing \text{words} (and a power after it) when a number comes before it
  let current = text;
  for (;;) {
    const match = TRAILING_TEXT_UNIT.exec(current);
    if (match === null) break;
    const before = current.slice(0, match.index);
    const words = match[1]!.trim().split(/\s+/);
    if (!/\d/.test(before) || words.some((word) => NOT_UNITS.has(word.toLowerCase()))) break;
    current = before.trimEnd();
  }
  // plain words: pop unit words from the end while a number remains before them
  const tokens = current.split(/(\s+)/);
  let lastDigitToken = -1;
  tokens.forEach((token, index) => {
    // `m^2` is a unit with a power, not a number
    if (/\d/.test(token.replace(/^([A-Za-z]+)\^\{?[23]\}?$/, '$1'))) lastDigitToken = index;
  });
  while (tokens.length > 0) {
    const last = tokens.at(-1)!;
    if (last.trim() === '') {
      tokens.pop();
      continue;
    }
    const word = last.replace(/\^\{?[23]\}?$/, '');
    if (!isUnitWord(word) || lastDigitToken === -1 || lastDigitToken >= tokens.length - 1) break;
    tokens.pop();
  }
  return tokens.join('');
}

const COMMAND_AT = /\\(?:[A-Za-z]+|.)/y;

/** Puts braces around the arguments of `\frac12`, `\frac ab`, `\sqrt2`, `\sqrt[3]x`, `\binom{n}k`. */
function braceShorthandArguments(text: string, depth = 0): string {
  if (depth > 20) return text;
  const pattern = /\\(frac|sqrt|binom)(?![A-Za-z])/g;
  let output = '';
  let position = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    output += text.slice(position, match.index) + match[0];
    let index = match.index + match[0].length;
    const count = match[1] === 'sqrt' ? 1 : 2;
    if (match[1] === 'sqrt') {
      while (text[index] === ' ') index++;
      if (text[index] === '[') {
        const close = text.indexOf(']', index);
        if (close === -1) break;
        output += text.slice(index, close + 1);
        index = close + 1;
      }
    }
    for (let argument = 0; argument < count; argument++) {
      while (text[index] === ' ') index++;
      if (index >= text.length) break;
      if (text[index] === '{') {
        const end = matchingBrace(text, index);
        if (end === -1) break;
        output += `{${braceShorthandArguments(text.slice(index + 1, end - 1), depth + 1)}}`;
        index = end;
      } else if (text[index] === '\\') {
        COMMAND_AT.lastIndex = index;
        const command = COMMAND_AT.exec(text)?.[0] ?? '\\';
        output += `{${command}}`;
        index += command.length;
      } else {
        output += `{${text[index]}}`;
        index++;
      }
    }
    position = index;
    pattern.lastIndex = index;
  }
  return output + text.slice(position);
}

/** `1\frac{1}{10}` → `\frac{11}{10}` (a whole number directly before a proper fraction of whole numbers). */
function joinMixedNumbers(text: string): string {
  return text.replace(
    /(^|[\s([,=;-])(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}/g,
    (whole: string, before: string, integer: string, numerator: string, denominator: string) => {
      const n = BigInt(numerator);
      const d = BigInt(denominator);
      if (d === 0n || n >= d || n === 0n) return whole;
      return `${before}\\frac{${BigInt(integer) * d + n}}{${d}}`;
    },
  );
}

/** Whether the right side of `v = …` is a value (no variable other than e and i), so the label can go. */
function isConstantText(text: string): boolean {
  const withoutCommands = text.replace(/\\[A-Za-z]+/g, '');
  return !/[A-DF-HJ-Za-df-hj-z]/.test(withoutCommands) && !text.includes('=') && !/\\(?:le|ge|ne)(?![A-Za-z])|[<>]/.test(text);
}

/** `\{x \mid x > 3\}`, `\{x : x>3\}`, `\{x \in \mathbb{R} | x > 3\}` → the condition `x > 3`, compared as a relation (or interval). */
function setBuilderCondition(text: string): string {
  const match = /^\\\{\s*([A-Za-z])\s*(?:\\in\s*\\mathbb\s*\{?\s*R\s*\}?\s*)?(?:\\mid|:|\|)\s*(.+)\\\}$/.exec(text.trim());
  if (match === null || !match[2]!.includes(match[1]!)) return text;
  return match[2]!;
}

/**
 * A comma between digits read as a decimal mark (`2,75` → `2.75`, `1500,25` → `1500.25`); a number with several
 * comma groups (`3,250,000`) keeps its thousands separators. The rule of `decimalComma: 'always'`, and of `'auto'`
 * when one side is a lone number (see are-equivalent.ts).
 */
export function decimalCommasToPoints(text: string): string {
  return text.replace(/(?<![\d,.])(\d+),(\d+)(?!\d|,\d)/g, '$1.$2');
}

function stripLabels(text: string): string {
  let current = text;
  // (p, q, r) = (3, 2, 7)
  const tuple = /^\((?:\s*\\?[A-Za-z]+(?:_\{[^{}]*\})?\s*,)+\s*\\?[A-Za-z]+(?:_\{[^{}]*\})?\s*\)\s*=\s*(?=[([])/.exec(current);
  if (tuple) current = current.slice(tuple[0].length);
  // x \in [2, 5)
  current = current.replace(/^\s*(?:[A-Za-z]|\\[a-z]+)\s*\\in(?![A-Za-z])\s*/, '');
  // x = 5, k = \frac12, \theta = \pi (only when what follows is a value)
  const label = /^\s*(?:[A-Za-z]|\\[a-z]+)(?:_\{[^{}]*\})?\s*=\s*/.exec(current);
  if (label && !/^\s*\\(?:frac|sqrt|pi|infty)/.test(current) && isConstantText(current.slice(label[0].length))) {
    current = current.slice(label[0].length);
  }
  return current;
}

/**
 * Canonical text of an answer: the same answer written two ways gives the same string where notation alone differs
 * (`\left( 3, \dfrac{\pi}{2} \right)` and `(3,\frac\pi2)`). Comparison of values happens later on the parsed form;
 * this step only removes notation. Runs in linear time on untrusted text.
 */
export function normalizeAnswer(answer: string, options: NormalizeOptions = DEFAULT_NORMALIZE_OPTIONS): string {
  // most answers are plain numbers: nothing to remove
  if (PLAIN_NUMBER.test(answer)) return answer;
  const key = `${options.percent}|${options.mixedNumbers}|${options.stripUnits}|${options.decimalComma}|${answer}`;
  const cached = normalizedCache.get(key);
  if (cached !== undefined) return cached;
  const normalized = normalizeUncached(answer, options);
  if (normalizedCache.size >= NORMALIZED_CACHE_SIZE) normalizedCache.clear();
  if (answer.length <= 1_000) normalizedCache.set(key, normalized);
  return normalized;
}

const PLAIN_NUMBER = /^-?(?:[1-9]\d{0,15}|0)(?:\.\d{1,15})?$/;
const NORMALIZED_CACHE_SIZE = 20_000;
const normalizedCache = new Map<string, string>();

function normalizeUncached(answer: string, options: NormalizeOptions): string {
  // row breaks `\\` must survive the removal of `\ ` and `\,` spacing; JSON-escaped LaTeX (`\\frac`) is read back first
  let text = unescapeLatex(answer).replace(/\uE000|\uE001/g, '').replace(/\\\\/g, ROW_BREAK).replace(/\s+/g, ' ');
  text = replaceUnicode(text);
  text = stripWrappers(text);
  text = text.replace(/\\(?:displaystyle|textstyle|scriptstyle|limits|nolimits)(?![A-Za-z])/g, ' ');
  // thousands separators: 10{,}080, 10,\!080, 10\,080 (but "32, 349" stays two numbers)
  text = text.replace(/(\d)(?:\{\s?,\s?\}|,\s?\\!\s?|\\,)(?=\d{3}(?!\d))/g, '$1');
  text = text.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![A-Za-z])\s*\.?/g, '');
  text = text.replace(/\\hspace\*?\{[^{}]*\}/g, ' ').replace(/\\[,;:! ]/g, ' ').replace(/~/g, ' ');
  text = text.replace(/\\(?:dfrac|tfrac|cfrac)(?![A-Za-z])/g, '\\frac').replace(/\\(?:dbinom|tbinom)(?![A-Za-z])/g, '\\binom');
  // ordinals and degrees: 12^{\text{th}}, 30^\circ, 30^{\circ}
  text = text.replace(TEXT_ORDINAL, '');
  text = text.replace(/\^\s*\{?\s*(?:st|nd|rd|th)\s*\}?(?![A-Za-z])/g, '');
  text = text.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![A-Za-z])|\\degree(?![A-Za-z])|\\circ(?![A-Za-z])/g, '');
  // money: \$, $, €, £, ¥, ₹ and their commands (currency words are units, below)
  text = text.replace(/\\\$/g, '').replace(/\$/g, '').replace(/[€£¥₹]|\\(?:euro|EUR|pounds|textsterling|yen|textdollar|texteuro)(?![A-Za-z])/g, ' ');
  // percent words become the sign before units are stripped (they would read as a unit word)
  text = text.replace(/\s*(?:\\text\s*\{\s*(?:percent|pct|per\s?cent)\s*\}|\b(?:percent|pct|per\s?cent)\b)/gi, '\\%');
  text = text.replace(/\\text\s*\{\s*\}/g, '');
  if (options.stripUnits) text = stripTrailingUnits(text.trim());
  // \text{…}, \mbox{…}, \textbf{…}: keep the words
  text = replaceTextGroups(text, (content) => ` ${content} `);
  text = text.replace(/(\d)(?:st|nd|rd|th)(?![A-Za-z])/g, '$1');
  if (options.stripUnits) text = stripTrailingUnits(text.trim());
  text = text.replace(/\s*(?:\\%|%)/g, options.percent === 'fraction' ? '/100' : '');
  // infinity, relations, brackets
  text = text.replace(/\\(?:infinity|infin|inf)(?![A-Za-z])/g, '\\infty');
  text = text.replace(/(^|[([,])\s*\+\s*\\infty/g, '$1\\infty');
  text = text.replace(/\\(?:leqslant|leq|le)(?![A-Za-z])/g, '\\le ').replace(/\\(?:geqslant|geq|ge)(?![A-Za-z])/g, '\\ge ');
  text = text.replace(/\\(?:neq|ne)(?![A-Za-z])/g, '\\ne ').replace(/\\lt(?![A-Za-z])/g, '<').replace(/\\gt(?![A-Za-z])/g, '>');
  text = text.replace(/<=/g, '\\le ').replace(/>=/g, '\\ge ').replace(/!=/g, '\\ne ').replace(/\\not\s*=/g, '\\ne ');
  text = text.replace(/\\(?:approxeq|thickapprox|simeq|approx)(?![A-Za-z])/g, '\\approx ').replace(/\\(?:setminus|smallsetminus|backslash)(?![A-Za-z])/g, '\\setminus ');
  text = text.replace(/\\lbrace(?![A-Za-z])/g, '\\{').replace(/\\rbrace(?![A-Za-z])/g, '\\}');
  text = text.replace(/\\lbrack(?![A-Za-z])/g, '[').replace(/\\rbrack(?![A-Za-z])/g, ']');
  text = text.replace(/\\langle(?![A-Za-z])/g, '(').replace(/\\rangle(?![A-Za-z])/g, ')');
  text = text.replace(/\\(?:lvert|rvert|vert)(?![A-Za-z])/g, '|');
  text = text.replace(/\\ast(?![A-Za-z])/g, '*');
  text = setBuilderCondition(text);
  text = text.replace(/\\mathbb\s*\{?\s*R\s*\}?/g, '(-\\infty,\\infty)');
  // an interval minus a set is a set difference, never arithmetic: (-\infty,\infty) - \{0\}
  text = text.replace(/([)\]])\s*-\s*(?=\\\{)/g, '$1\\setminus ');
  text = text.replace(/\\(?:emptyset|varnothing)(?![A-Za-z])|\\\{\s*\\\}/g, '\\emptyset');
  text = braceShorthandArguments(text);
  // .5 → 0.5; subscripts in braces (204_5 → 204_{5}, x_1 → x_{1})
  text = text.replace(/(^|[^0-9A-Za-z}\])])\.(\d)/g, '$10.$2');
  text = text.replace(/_\s*([0-9A-Za-z])/g, '_{$1}');
  if (options.mixedNumbers) text = joinMixedNumbers(text);
  // separators between answers: \quad, "or", "and"
  text = text.replace(/\s*\\q?quad(?![A-Za-z])\s*/g, ', ');
  if (/[\d\\=]/.test(text)) text = text.replace(/\s+(?:or|and)\s+/g, ', ');
  text = text.replace(/,(?:\s*,)+/g, ',');
  text = text.trim().replace(/^[,;\s]+|[.,;:\s]+$/g, '');
  text = stripLabels(text);
  if (options.decimalComma === 'always') text = decimalCommasToPoints(text);
  // a lone number with plain thousands commas: 58,500
  if (/^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(text)) text = text.replace(/,/g, '');
  // white space: keep one space only where it ends a command name before a letter (\pi r)
  text = text.replace(/(\\[A-Za-z]+)\s+(?=[A-Za-z])/g, '$1\uE001').replace(/\s+/g, '').replace(/\uE001/g, ' ');
  return stripWrappers(text).replace(/\uE000/g, '\\\\');
}
