/**
 * Reads the final answer out of a full model response. Every rule runs in time linear in the response length (no
 * regular expression here can backtrack), so extraction is safe on untrusted text without a time budget.
 */

export type ExtractionRule =
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
  /** Fallback: the last number in the response. */
  | 'last-number';

export interface ExtractedAnswer {
  answer: string;
  rule: ExtractionRule;
  /** True when no rule found a stated answer and the last number was taken. */
  fallback: boolean;
}

export interface ExtractionOptions {
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

function fromBoxes(text: string): ExtractedAnswer | null {
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

/** The answer stated right after `from`: a math span if one starts there, else the rest of the sentence. */
function statedAfter(text: string, from: number): string | null {
  let rest = text.slice(from, from + 600).trimStart();
  rest = rest.replace(/^\*\*\s*/, '');
  const delimiters: [string, string][] = [
    ['$$', '$$'],
    ['$', '$'],
    ['\\(', '\\)'],
    ['\\[', '\\]'],
  ];
  let answer: string | undefined;
  for (const [open, close] of delimiters) {
    if (rest.startsWith(open)) {
      const end = rest.indexOf(close, open.length);
      if (end !== -1) answer = rest.slice(open.length, end);
      break;
    }
  }
  if (answer === undefined) {
    const line = rest.split('\n', 1)[0] ?? '';
    const sentenceEnd = line.search(/\.(?:\s|$)/);
    answer = sentenceEnd === -1 ? line : line.slice(0, sentenceEnd);
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

function fromPhrase(text: string, pattern: RegExp, rule: ExtractionRule): ExtractedAnswer | null {
  const end = lastMatchEnd(text, pattern);
  if (end === null) return null;
  const answer = statedAfter(text, end);
  return answer === null ? null : { answer, rule, fallback: false };
}

function fromBold(text: string): ExtractedAnswer | null {
  let answer: string | null = null;
  for (const match of text.matchAll(/\*\*([^*\n]{1,80})\*\*/g)) {
    const content = match[1]!.trim();
    if (/[0-9\\]/.test(content)) answer = content;
  }
  if (answer === null) return null;
  const stripped = answer.replace(/^\$+|\$+$/g, '').replace(/[.,;:]+$/, '').trim();
  return stripped === '' ? null : { answer: stripped, rule: 'bold', fallback: false };
}

function fromLastNumber(text: string): ExtractedAnswer | null {
  let answer: string | null = null;
  for (const match of text.matchAll(/-?\d+(?:,\d{3})*(?:\.\d+)?(?:\/\d+)?/g)) answer = match[0];
  return answer === null ? null : { answer, rule: 'last-number', fallback: true };
}

/**
 * The final answer of a response, with the rule that found it: the last complete box (grouping boxes that together
 * form one answer), then "final answer is", "the answer is", an "Answer:" line, the last bold span, and last the last
 * number (marked as a fallback). Null when nothing looks like an answer.
 */
export function extractAnswer(response: string, options: ExtractionOptions = {}): ExtractedAnswer | null {
  return (
    fromBoxes(response) ??
    fromPhrase(response, /final answer is\s*:?/gi, 'final-answer-is') ??
    fromPhrase(response, /\banswer is\s*:?/gi, 'answer-is') ??
    fromPhrase(response, /(?:^|\n)[ \t>#*_]*(?:final[ \t]+)?answer[ \t*_]*:[ \t*_]*/gi, 'answer-label') ??
    fromBold(response) ??
    (options.lastNumberFallback === false ? null : fromLastNumber(response))
  );
}
