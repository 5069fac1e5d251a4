import { unescapeLatex } from './escaped-latex.js';

/**
 * Finds the answer on one side of a comparison, gold or prediction: a bare answer, delimited LaTeX or a whole model
 * response. Every rule runs in time linear in the text length (no regular expression here can backtrack, and a
 * delimiter with no closing partner is searched for once), so it is safe on untrusted text without a time budget.
 */

/**
 * How a side is read. `auto` (the default) tries the rules in order and suits all three shapes; `bare` takes the
 * whole string as the answer; `response` reads a model response (boxes, phrases, math, last number) and never takes
 * the whole string.
 */
export const ANSWER_MODES = ['auto', 'bare', 'response'] as const;
export type AnswerMode = (typeof ANSWER_MODES)[number];

export type AnswerRule =
  /** The last complete `\boxed{…}` / `\fbox{…}`. */
  | 'boxed'
  /** The last box, and the same answer was boxed before. */
  | 'boxed-repeated'
  /** Several boxes at the end that together form one answer (`\boxed{2}` and `\boxed{-3}`), joined with commas. */
  | 'boxed-combined'
  /** "The final answer is …". */
  | 'final-answer-is'
  /** "The answer is …". */
  | 'answer-is'
  /** A line "Answer: …" / "**Final Answer:** …". */
  | 'answer-label'
  /** The last `**…**` that holds a number or LaTeX. */
  | 'bold'
  /** The last display math: `$$…$$`, `\[…\]`, an `equation`/`align`/`gather` environment (its last row). */
  | 'display-math'
  /** The last inline math: `$…$`, `\(…\)`. */
  | 'inline-math'
  /** The whole string, which reads as one answer (or mode `bare`). */
  | 'whole'
  /** One of the last sentences states it: `The smallest such k is 12.`, `The correct option is (D).` */
  | 'statement'
  /** Fallback: the last number in the text. */
  | 'last-number';

export interface FoundAnswer {
  answer: string;
  rule: AnswerRule;
  /** True when no rule found a stated answer and the last number was taken. */
  fallback: boolean;
}

export interface FindAnswerOptions {
  mode?: AnswerMode;
  /** Whether the last number may be taken when nothing else is found (marked `fallback`). Default true. */
  lastNumberFallback?: boolean;
}

interface Box {
  start: number;
  end: number;
  content: string;
}

/** Reads a brace group starting at `open` (which holds `{`); returns the index after the closing brace, or -1. */
export function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let index = open; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') {
      index++;
    } else if (char === '{') {
      depth++;
    } else if (char === '}') {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

const BOX_COMMAND = /\\(?:boxed|fbox)(?![A-Za-z])/g;

/** For every `{`, the index after its matching `}` (one pass, so many unclosed boxes stay linear). */
function closingBraces(text: string): Map<number, number> {
  const closing = new Map<number, number>();
  const open: number[] = [];
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '{') open.push(index);
    else if (char === '}') {
      const start = open.pop();
      if (start !== undefined) closing.set(start, index + 1);
    }
  }
  return closing;
}

/** Every complete, non-empty box, outermost only, in order. An unclosed (truncated) box is skipped. */
function findBoxes(text: string): Box[] {
  const boxes: Box[] = [];
  let closing: Map<number, number> | undefined;
  let coveredUntil = 0;
  for (const match of text.matchAll(BOX_COMMAND)) {
    const start = match.index;
    if (start < coveredUntil) continue;
    let index = start + match[0].length;
    while (text[index] === ' ') index++;
    if (text[index] === '{') {
      closing ??= closingBraces(text);
      const end = closing.get(index);
      if (end === undefined) continue;
      const content = text.slice(index + 1, end - 1).trim();
      // an empty box (`\boxed{}` quoted from the prompt) is not an answer
      if (content !== '') boxes.push({ start, end, content });
      coveredUntil = end;
    } else {
      // `\boxed 5`: one token up to white space or the end of the math
      let end = index;
      while (end < text.length && !/[\s$]/.test(text[end]!)) end++;
      if (end > index) {
        boxes.push({ start, end, content: text.slice(index, end) });
        coveredUntil = end;
      }
    }
  }
  return boxes;
}

/** Whether the text between two boxes only joins them (`, `, ` and `, `\quad`, `x = `, math delimiters). */
function isConnector(between: string): boolean {
  if (between.length > 80) return false;
  const rest = between
    .replace(/\\(?:text|textrm|mathrm|mbox)\{([^{}]*)\}/g, ' $1 ')
    .replace(/\\(?:quad|qquad|[,;:!()[\]])/g, ' ')
    .replace(/[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)? *=/g, ' ')
    .replace(/\b(?:and|or)\b/gi, ' ')
    .replace(/[\s$,;.&\\]/g, '');
  return rest === '';
}

function squash(text: string): string {
  return text.replace(/\s+/g, '');
}

function fromBoxes(text: string): FoundAnswer | null {
  const boxes = findBoxes(text);
  const last = boxes.at(-1);
  if (last === undefined) return null;
  const group = [last];
  for (let index = boxes.length - 2; index >= 0; index--) {
    const box = boxes[index]!;
    if (!isConnector(text.slice(box.end, group[0]!.start))) break;
    group.unshift(box);
  }
  const distinct = [...new Set(group.map((box) => squash(box.content)))];
  if (group.length > 1 && distinct.length > 1) {
    return { answer: group.map((box) => box.content).join(', '), rule: 'boxed-combined', fallback: false };
  }
  const repeated = group.length > 1 || boxes.some((box) => box !== last && squash(box.content) === distinct[0]);
  return { answer: last.content, rule: repeated ? 'boxed-repeated' : 'boxed', fallback: false };
}

interface MathSpan {
  display: boolean;
  content: string;
  start: number;
  end: number;
}

/** Environments read as display math; of the multi-line ones the last row is the answer. */
const DISPLAY_ENVIRONMENTS = new Set(['equation', 'equation*', 'align', 'align*', 'aligned', 'gather', 'gather*', 'displaymath', 'eqnarray', 'eqnarray*', 'multline', 'multline*']);
const BEGIN_ENVIRONMENT = /\\begin\s*\{([A-Za-z*]+)\}/y;

/**
 * Every math span in order: `$$…$$`, `$…$`, `\(…\)`, `\[…\]` and display environments (not nested in each other; an
 * escaped `\$` is a dollar sign). A delimiter whose closing partner is missing is skipped, and each kind of closing
 * delimiter is searched for at most once after it is known to be missing, so the scan stays linear.
 */
function findMathSpans(text: string): MathSpan[] {
  const spans: MathSpan[] = [];
  const missing = new Set<string>();
  const closeAt = (close: string, from: number): number => {
    if (missing.has(close)) return -1;
    const at = text.indexOf(close, from);
    if (at === -1) missing.add(close);
    return at;
  };
  /** The next `$` at or after `from` that is not escaped. */
  const dollarAt = (from: number): number => {
    for (let at = closeAt('$', from); at !== -1; at = closeAt('$', at + 1)) {
      if (text[at - 1] !== '\\') return at;
    }
    return -1;
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') {
      const next = text[index + 1];
      if (next === '(' || next === '[') {
        const close = next === '(' ? '\\)' : '\\]';
        const end = closeAt(close, index + 2);
        if (end !== -1) {
          spans.push({ display: next === '[', content: text.slice(index + 2, end), start: index, end: end + 2 });
          index = end + 1;
          continue;
        }
      } else if (next === 'b') {
        BEGIN_ENVIRONMENT.lastIndex = index;
        const begin = BEGIN_ENVIRONMENT.exec(text);
        if (begin !== null && DISPLAY_ENVIRONMENTS.has(begin[1]!)) {
          const close = `\\end{${begin[1]}}`;
          const end = closeAt(close, BEGIN_ENVIRONMENT.lastIndex);
          if (end !== -1) {
            spans.push({ display: true, content: lastRow(text.slice(BEGIN_ENVIRONMENT.lastIndex, end)), start: index, end: end + close.length });
            index = end + close.length - 1;
            continue;
          }
        }
      }
      index++;
    } else if (char === '$') {
      if (text[index + 1] === '$') {
        const end = closeAt('$$', index + 2);
        if (end !== -1) {
          spans.push({ display: true, content: text.slice(index + 2, end), start: index, end: end + 2 });
          index = end + 1;
          continue;
        }
        index++;
      } else {
        const end = dollarAt(index + 1);
        if (end !== -1) {
          spans.push({ display: false, content: text.slice(index + 1, end), start: index, end: end + 1 });
          index = end;
        }
      }
    }
  }
  return spans;
}

/** The last non-empty row of an `align`-like body, without alignment marks, labels and tags. */
function lastRow(body: string): string {
  const rows = body
    .replace(/\\(?:label|tag)\*?\s*\{[^{}]*\}|\\(?:nonumber|notag)(?![A-Za-z])/g, '')
    .split(/\\\\/)
    // a continued chain `&= 6` states its right side
    .map((row) => row.replace(/&/g, ' ').trim().replace(/^=\s*/, ''))
    .filter((row) => row !== '');
  return rows.at(-1) ?? '';
}

/** Whether a span only names something (`$x$`, `$n$`, `$ABC$`, `$a_1$`) rather than stating a value. */
function isReference(content: string): boolean {
  return /^\s*(?:[A-Za-z]{1,3}(?:_\{?[A-Za-z0-9]{1,3}\}?)?|\\[A-Za-z]+)\s*$/.test(content) && !/^\s*\\(?:pi|infty|emptyset|varnothing)\s*$/.test(content);
}

/** Whether a text holds no variable: letters only inside command names and `\text{…}` units (`e`, `i` are constants). */
function isConstant(text: string): boolean {
  return !/[A-DF-HJ-Za-df-hj-z]/.test(text.replace(/\\(?:text|mbox|mathrm)\s*\{[^{}]*\}/g, '').replace(/\\[A-Za-z]+/g, ''));
}

/** A label on the left of `=`: `x`, `a_1`, `\theta`, `f(x)`, `(p, q)`. */
const LABEL = /^\s*(?:\\?[A-Za-z]+(?:_\{?[A-Za-z0-9]+\}?)?(?:\s*\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])*\s*\))?|\(\s*[A-Za-z](?:\s*,\s*[A-Za-z])*\s*\))\s*$/;
const RELATION = /\\(?:le|ge|leq|geq|ne|neq|lt|gt)(?![A-Za-z])|[<>]/;

/**
 * What a math span states. A chain of three or more sides (`x = 2 + 3 = 5`, `A = 3 \cdot 4 = 12`) states its last
 * side; `L = R` states R when R is a value other than 0 and L is not a label (`a + b = \frac{7}{3}`); a labelled
 * equation (`y = 2x + 3`, `g(t) = 3t`) and an equation to solve (`2x + 4 = 0`) are kept whole, for the comparison to
 * read. Trailing punctuation goes.
 */
function statedByMath(content: string): string {
  const trimmed = content.trim().replace(/[.,;:]+$/, '').trim();
  if (RELATION.test(trimmed)) return trimmed;
  const sides = splitTopLevel(trimmed, '=').map((side) => side.trim());
  if (sides.length < 2 || sides.some((side) => side === '')) return trimmed;
  const last = sides.at(-1)!;
  if (sides.length >= 3) return last;
  if (LABEL.test(sides[0]!)) return trimmed;
  return isConstant(last) && !/^0$/.test(last) ? last : trimmed;
}

/** Splits at `separator` outside braces, brackets and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '{' || char === '(' || char === '[') depth++;
    else if (char === '}' || char === ')' || char === ']') depth = Math.max(0, depth - 1);
    else if (char === separator && depth === 0) {
      parts.push(text.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** How much text may follow the last math span for it to count as the response's answer. */
const MAX_TEXT_AFTER_MATH = 500;

/**
 * The last math span that states something (not a lone `$x$`), when at most MAX_TEXT_AFTER_MATH characters follow it.
 * Spans at the end joined only by `and`, commas or labels (`$x = 5$ and $x = -3$`) together form one answer, joined
 * with commas, as boxes do.
 */
function fromMath(text: string): FoundAnswer | null {
  if (!text.includes('$') && !text.includes('\\(') && !text.includes('\\[') && !text.includes('\\begin')) return null;
  const found = findMathSpans(text).filter((span) => span.content.trim() !== '' && !isReference(span.content));
  // math followed by a long tail (a runaway loop, an unclosed formula) is not where the response ends
  if (found.length === 0 || text.length - found.at(-1)!.end > MAX_TEXT_AFTER_MATH) return null;
  const spans = withoutTrailingChecks(text, found);
  const last = spans.at(-1)!;
  const group = [last];
  for (let index = spans.length - 2; index >= 0; index--) {
    const span = spans[index]!;
    if (!isConnector(text.slice(span.end, group[0]!.start))) break;
    group.unshift(span);
  }
  const stated = [...new Set(group.map((span) => statedByMath(span.content)).filter((answer) => answer !== ''))];
  if (stated.length === 0) return null;
  return { answer: stated.join(', '), rule: last.display ? 'display-math' : 'inline-math', fallback: false };
}

/** Words that open a check of an answer stated before (`Check: $6^2 = 36$`, `To verify, …`). */
const CHECK_CUE = /\b(?:check|checks|checking|verify|verifying|verification|verified|confirm|confirming|sanity)\b/i;
const SENTENCE_BREAK = /[.!?](?=\s|$)|\n/g;

/** Where the last sentence of a gap between math spans begins (after its last break), or -1 when it has none. */
function lastSentenceStart(gap: string): number {
  let start = -1;
  for (const match of gap.matchAll(SENTENCE_BREAK)) start = match.index + match[0].length;
  return start;
}

/** A span a check writes: an equation or inequality (`x^2 = 36`, `2^2 + 2 - 6 = 0`, `6 > 0`), or a check mark. */
const CHECK_SPAN = /=|<|>|\\(?:le|ge|leq|geq|ne|neq|checkmark)(?![A-Za-z])/;

/**
 * The spans without those of trailing sentences that check an answer already stated (`… so $x = 6$. Check:
 * $x^2 = 36$.`): a sentence whose words before its first span name a check and whose spans are all equations or
 * inequalities, when a span comes before it (`Checking all cases, the total is $42$.` states 42). Each gap is read
 * once, so this stays linear.
 */
function withoutTrailingChecks(text: string, spans: MathSpan[]): MathSpan[] {
  let kept = spans;
  for (let round = 0; round < 3; round++) {
    let first = kept.length - 1;
    let opening: string | null = null;
    for (; first > 0; first--) {
      const gap = text.slice(kept[first - 1]!.end, kept[first]!.start);
      const start = lastSentenceStart(gap);
      if (start !== -1) {
        opening = gap.slice(start);
        break;
      }
    }
    if (opening === null || !CHECK_CUE.test(opening) || !kept.slice(first).every((span) => CHECK_SPAN.test(span.content))) return kept;
    kept = kept.slice(0, first);
  }
  return kept;
}

/** The answer stated right after `from`: a math span if one starts there, else the rest of the sentence (its last math span, if it has one). */
function statedAfter(text: string, from: number): string | null {
  let rest = text.slice(from, from + 600).trimStart();
  rest = rest.replace(/^\*\*\s*/, '');
  let answer: string | undefined;
  if (rest.startsWith('$') || rest.startsWith('\\(') || rest.startsWith('\\[') || rest.startsWith('\\begin')) {
    const first = findMathSpans(rest)[0];
    if (first?.start === 0) answer = first.content;
  }
  if (answer === undefined) {
    const line = rest.split('\n', 1)[0] ?? '';
    const sentenceEnd = line.search(/\.(?:\s|$)/);
    answer = sentenceEnd === -1 ? line : line.slice(0, sentenceEnd);
    const spans = findMathSpans(answer).filter((span) => span.content.trim() !== '');
    if (spans.length > 0) answer = statedByMath(spans.at(-1)!.content);
  }
  answer = answer
    .replace(/\*\*/g, '')
    .trim()
    .replace(/[.,;:!]+$/, '')
    .trim();
  return answer === '' ? null : answer;
}

function lastMatchEnd(text: string, pattern: RegExp): number | null {
  let end: number | null = null;
  for (const match of text.matchAll(pattern)) end = match.index + match[0].length;
  return end;
}

function fromPhrase(text: string, pattern: RegExp, rule: AnswerRule): FoundAnswer | null {
  const end = lastMatchEnd(text, pattern);
  if (end === null) return null;
  const answer = statedAfter(text, end);
  return answer === null ? null : { answer, rule, fallback: false };
}

function fromBold(text: string): FoundAnswer | null {
  let answer: string | null = null;
  for (const match of text.matchAll(/\*\*([^*\n]{1,80})\*\*/g)) {
    const content = match[1]!.trim();
    if (/[0-9\\]/.test(content) && !/:$/.test(content) && !/^step\b/i.test(content)) answer = content;
  }
  if (answer === null) return null;
  const stripped = answer.replace(/^\$+|\$+$/g, '').replace(/[.,;:]+$/, '').trim();
  return stripped === '' ? null : { answer: stripped, rule: 'bold', fallback: false };
}

/** Words an answer may hold without reading as prose (`2 and 3`, `45 pct`, `The Eagles`); more means a sentence. */
const MAX_ANSWER_WORDS = 8;
const MAX_ANSWER_LENGTH = 400;
/** Words of a sentence rather than of an answer: verbs, pronouns and connectives of reasoning. */
const PROSE_WORDS = new Set(
  'we is are was were be been do does did not so then get gets got give gives gave thus therefore hence because since let it its this that which can cannot could will would should must has have had find found know compute computed calculate equals means us our you your my me there here when if what how'.split(' '),
);

/**
 * Whether a text reads as one answer rather than as prose: short, at most a few words outside LaTeX commands, none of
 * them a word of reasoning (`is`, `we`, `gives`, `therefore`…), and no sentence boundary or paragraph break inside.
 */
export function readsAsOneAnswer(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.length > MAX_ANSWER_LENGTH || /\n\s*\n/.test(trimmed)) return false;
  const withoutCommands = trimmed.replace(/\\[A-Za-z]+/g, ' ');
  const words = withoutCommands.match(/[A-Za-z]{2,}/g) ?? [];
  if (words.length > MAX_ANSWER_WORDS || words.some((word) => PROSE_WORDS.has(word.toLowerCase()))) return false;
  // words before the first number: "The laptop costs 2,499.50 USD"
  const firstDigit = withoutCommands.search(/\d/);
  if (firstDigit > 0 && (withoutCommands.slice(0, firstDigit).match(/[A-Za-z]{2,}/g) ?? []).length >= 2) return false;
  // a sentence ends and another begins: "Add them. Then 5"
  return !/[.!?]\s+[A-Z][a-z]/.test(withoutCommands);
}

function fromWhole(text: string): FoundAnswer | null {
  const answer = text.trim();
  return readsAsOneAnswer(answer) ? { answer, rule: 'whole', fallback: false } : null;
}

const STATEMENT_VERB = /\b(?:is|are|equals|was)\s+/i;
/** `Option (D) is correct.`, `choice B is the right one`: the letter the sentence names. */
const CHOICE_STATEMENT = /\b(?:option|choice)\s*\(?([A-E])\)?\s+(?:is|would be)\s+(?:the\s+)?(?:correct|right|answer)\b/i;
const CLAUSE_END = /[,;]\s|\s(?:since|because|as|so|which|when|where|for|if|and\s+(?:so|thus|hence))\b/i;
/** A choice letter as an answer: `(D)`, `D`, `D)`. */
const CHOICE_LETTER = /^\(?[A-E]\)?$/;
/** How far back from the end the statement rule reads, and how many sentences. */
const STATEMENT_TAIL = 800;
const STATEMENT_SENTENCES = 3;

/**
 * What one of the last sentences states after its first `is`/`are`/`equals`, up to the end of the clause: `The
 * smallest such k is 12.` → 12, `The correct option is (D).` → (D). It counts only when it reads as one answer that
 * holds a number, LaTeX or a choice letter (`I hope it is correct.` states nothing).
 */
function fromStatement(text: string): FoundAnswer | null {
  const tail = text.length > STATEMENT_TAIL ? text.slice(-STATEMENT_TAIL) : text;
  const sentences = tail.split(/(?<=[.!?])\s+|\n/);
  let read = 0;
  for (let index = sentences.length - 1; index >= 0 && read < STATEMENT_SENTENCES; index--) {
    const sentence = sentences[index]!.trim();
    if (sentence === '') continue;
    read++;
    const choice = CHOICE_STATEMENT.exec(sentence);
    if (choice !== null) return { answer: choice[1]!, rule: 'statement', fallback: false };
    const verb = STATEMENT_VERB.exec(sentence);
    if (verb === null) continue;
    let answer = sentence.slice(verb.index + verb[0].length);
    const clauseEnd = answer.search(CLAUSE_END);
    if (clauseEnd !== -1) answer = answer.slice(0, clauseEnd);
    answer = answer.replace(/\*\*/g, '').trim().replace(/[.!?:]+$/, '').trim();
    if (answer === '' || answer.length > 80) continue;
    if ((/[0-9\\]/.test(answer) || CHOICE_LETTER.test(answer)) && readsAsOneAnswer(answer)) return { answer, rule: 'statement', fallback: false };
  }
  return null;
}

function fromLastNumber(text: string): FoundAnswer | null {
  let answer: string | null = null;
  for (const match of text.matchAll(/-?\d+(?:(?:,|\{,\}|,\\!)\d{3})*(?:\.\d+)?(?:\/\d+)?/g)) answer = match[0];
  return answer === null ? null : { answer, rule: 'last-number', fallback: true };
}

/**
 * The answer on one side of a comparison, with the rule that found it. JSON-escaped LaTeX (`\\frac`) is read back
 * first. In mode `auto` (the default), first match wins: the last complete box (grouping boxes that together form one
 * answer), "final answer is", "the answer is", an "Answer:" line, the last bold span, the last display or inline math
 * (not a trailing sentence that checks an answer stated before it), the whole text when it reads as one answer, a
 * statement in one of the last sentences (`The smallest such k is 12.`), and last the last number (marked as a
 * fallback). Mode `response` skips the whole-text rule; mode `bare` takes the whole text. Null when nothing looks like
 * an answer.
 */
export function findAnswer(given: string, options: FindAnswerOptions = {}): FoundAnswer | null {
  const mode = options.mode ?? 'auto';
  // JSON-escaped logs double every backslash (`\\boxed{\\frac{1}{2}}`)
  const text = unescapeLatex(given);
  if (mode === 'bare') {
    const answer = text.trim();
    return answer === '' ? null : { answer, rule: 'whole', fallback: false };
  }
  return (
    fromBoxes(text) ??
    fromPhrase(text, /final answer is\s*:?/gi, 'final-answer-is') ??
    fromPhrase(text, /\banswer is\s*:?/gi, 'answer-is') ??
    fromPhrase(text, /(?:^|\n)[ \t>#*_]*(?:final[ \t]+)?answer[ \t*_]*:[ \t*_]*/gi, 'answer-label') ??
    fromBold(text) ??
    fromMath(text) ??
    (mode === 'auto' ? fromWhole(text) : null) ??
    fromStatement(text) ??
    (options.lastNumberFallback === false ? null : fromLastNumber(text))
  );
}
