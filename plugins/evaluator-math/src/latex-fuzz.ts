import { tryFastEquivalence } from './are-equivalent.js';
import { seededRandom } from './compare-expressions.js';
import type { MathGrader } from './math-grader.js';
import { normalizeAnswer } from './normalize-answer.js';

/**
 * A fuzzer for the grader: random LaTeX token soup, mutated real answers and mutated responses, all from a seed. Used
 * by the fuzz test (a few thousand inputs) and `scripts/fuzz-equivalence.ts` (100,000).
 */

const TOKENS = [
  '0', '1', '2', '7', '10', '0.5', '.25', '1,000', '{,}', 'x', 'y', 'n', 'e', 'i', 'A', '(C)', ' ', ' ', '+', '-', '\u2212',
  '*', '/', '^', '_', '!', '=', '<', '>', ',', ';', ':', '.', '|', '&', '\\\\', '(', ')', '[', ']', '{', '}', '\\{', '\\}',
  '\\left(', '\\right)', '\\left[', '\\right]', '\\left|', '\\right.', '\\frac', '\\dfrac', '\\tfrac', '\\frac12', '\\sqrt',
  '\\sqrt[3]', '\\sqrt2', '\\binom', '\\cdot', '\\times', '\\div', '\\pm', '\\mp', '\\infty', '\\pi', '\\theta', '\\alpha',
  '\\sin', '\\cos', '\\tan', '\\sec', '\\arcsin', '\\log', '\\log_2', '\\ln', '\\exp', '\\le', '\\ge', '\\ne', '\\leq', '\\in',
  '\\cup', '\\emptyset', '\\mathbb{R}', '\\%', '^\\circ', '\\$', '\\text{', '\\text{ cm}', '\\mbox{', '\\textbf{', '\\boxed{',
  '\\fbox{', '\\overline{', '\\begin{pmatrix}', '\\end{pmatrix}', '\\begin{array}{cc}', '\\end{array}', '\\lfloor', '\\rfloor',
  '\\operatorname{', '\\,', '\\!', '\\quad', '\\ ', '~', '$', '\\(', '\\)', '10^{10^{10}}', '99!', '(10^{6})!', '2^{2^{2^{2}}}',
  '\\text{ or }', ' and ', 'degrees', '\\unknown', '\\', '%', '\u03c0', '\u221a', '\u221e', '\u2264', '\u00b0', '\u00a0',
  // issue 30: approximations, set differences, sums and products, matrix arithmetic, escaped LaTeX, labels, checks, prose
  '\\approx', '\u2248', '\\setminus', '\\{0\\}', '\\sum_{k=1}^{n}', '\\prod_{i=1}^{3}', '\\sum_{k=1}^{10^{9}}', '\\\\frac', '\\\\left(',
  '\\not=', '|x-2|', '\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}', '^{8}', 'a = ', 'b = ', '; ', 'Check: ', ' is ', '. The answer is (D).', '3,25',
  '\u2009', '\\n',
];

export interface FuzzCase {
  /** A gold text: a bare answer, or one wrapped in math delimiters or a sentence. */
  gold: string;
  /** A candidate answer, delimited LaTeX or a whole response (`response` true for the last two). */
  pred: string;
  response: boolean;
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomTokens(random: () => number, maxLength: number): string {
  const length = 1 + Math.floor(random() * maxLength);
  let text = '';
  for (let index = 0; index < length; index++) text += pick(TOKENS, random);
  return text;
}

function mutate(text: string, random: () => number): string {
  let current = text;
  const mutations = 1 + Math.floor(random() * 4);
  for (let step = 0; step < mutations; step++) {
    const position = Math.floor(random() * (current.length + 1));
    switch (Math.floor(random() * 7)) {
      case 0: // delete a range
        current = current.slice(0, position) + current.slice(position + 1 + Math.floor(random() * 4));
        break;
      case 1: // insert a token
        current = current.slice(0, position) + pick(TOKENS, random) + current.slice(position);
        break;
      case 2: // duplicate a piece
        current = current.slice(0, position) + current.slice(position, position + 6) + current.slice(position);
        break;
      case 3: // replace one character by a random printable one
        current = current.slice(0, position) + String.fromCharCode(32 + Math.floor(random() * 95)) + current.slice(position + 1);
        break;
      case 4: // truncate
        current = current.slice(0, position);
        break;
      case 5: // nest
        current = `${pick(['\\frac{', '\\sqrt{', '{', '\\left(', '\\boxed{', '\\text{'], random)}${current}${pick(['}', '}{2}', ')', '\\right)', ''], random)}`;
        break;
      default: // repeat a lot
        current = current.slice(0, position) + pick(TOKENS, random).repeat(1 + Math.floor(random() * 200)) + current.slice(position);
    }
  }
  return current;
}

/** `count` fuzz cases from `seed`, built from real answers (`answers`) and token soup. */
export function* fuzzCases(answers: readonly string[], count: number, seed: number): Generator<FuzzCase> {
  const random = seededRandom(seed);
  for (let index = 0; index < count; index++) {
    const gold = pick(answers, random);
    switch (index % 6) {
      case 0:
        yield { gold, pred: randomTokens(random, 30), response: false };
        break;
      case 1:
        yield { gold, pred: mutate(gold, random), response: false };
        break;
      case 2:
        yield { gold: mutate(gold, random), pred: mutate(pick(answers, random), random), response: false };
        break;
      case 3:
        yield { gold, pred: `Reasoning ${randomTokens(random, 20)} so the answer is \\boxed{${mutate(gold, random)}} ${randomTokens(random, 5)}`, response: true };
        break;
      case 4: {
        // a response without a box: math spans, an answer line, prose around them; either side may be delimited
        const wrap = pick(['$', '$$', '\\(', '\\[', '\\begin{align}', '**Final answer:** ', 'Answer: ', 'so the value is $'], random);
        const closes: Record<string, string> = { $: '$', $$: '$$', '\\(': '\\)', '\\[': '\\]', '\\begin{align}': '\\end{align}', 'so the value is $': '$.' };
        const close = closes[wrap] ?? '';
        const body = `${randomTokens(random, 10)} $x$ ${wrap}${mutate(gold, random)}${random() < 0.2 ? '' : close} ${random() < 0.5 ? randomTokens(random, 5) : ''}`;
        yield { gold: random() < 0.3 ? `$${gold}$` : gold, pred: body, response: true };
        break;
      }
      default:
        // delimiter soup: unclosed and nested delimiters in a long text
        yield { gold: mutate(`\\[ ${gold} \\]`, random), pred: `${'$ \\( \\[ \\begin{equation} '.repeat(1 + Math.floor(random() * 50))}${mutate(gold, random)}`, response: true };
    }
  }
}

export interface FuzzReport {
  cases: number;
  /** Exceptions that escaped extraction, normalisation or the fast path in this thread. */
  exceptions: { input: FuzzCase; error: string }[];
  /** Verdicts whose reason says an error was caught inside the comparison. */
  internalErrors: { input: FuzzCase; reason: string }[];
  timeouts: number;
  equivalent: number;
  decidedInThread: number;
  /** The slowest in-thread step (extraction + normalisation + fast path), which has no time budget. */
  maxInThreadMs: number;
  slowestInThread: FuzzCase | null;
  maxWorkerMs: number;
  wallMs: number;
}

/** Runs the cases: extraction, normalisation and the fast path here; the rest through the grader (with its budget). */
export async function runFuzz(cases: Iterable<FuzzCase>, grader: MathGrader, onProgress?: (done: number) => void): Promise<FuzzReport> {
  const started = performance.now();
  const report: FuzzReport = { cases: 0, exceptions: [], internalErrors: [], timeouts: 0, equivalent: 0, decidedInThread: 0, maxInThreadMs: 0, slowestInThread: null, maxWorkerMs: 0, wallMs: 0 };
  const pending: Promise<void>[] = [];
  for (const input of cases) {
    report.cases++;
    const stepStart = performance.now();
    let gold = input.gold;
    let pred: string | null = input.pred;
    try {
      const found = grader.find(input.gold, input.pred);
      gold = found.gold?.answer ?? '';
      pred = found.prediction?.answer ?? null;
      normalizeAnswer(gold);
      if (pred !== null) normalizeAnswer(pred);
      if (tryFastEquivalence(gold, pred) !== null) report.decidedInThread++;
    } catch (error) {
      report.exceptions.push({ input, error: String(error) });
      continue;
    } finally {
      const elapsed = performance.now() - stepStart;
      if (elapsed > report.maxInThreadMs) {
        report.maxInThreadMs = elapsed;
        report.slowestInThread = input;
      }
    }
    pending.push(
      grader.compare(gold, pred).then((verdict) => {
        if (verdict.reason === 'timeout') report.timeouts++;
        if (verdict.equivalent) report.equivalent++;
        if (/error/.test(verdict.reason)) report.internalErrors.push({ input, reason: verdict.reason });
        if (verdict.path === 'worker') report.maxWorkerMs = Math.max(report.maxWorkerMs, verdict.ms);
      }),
    );
    if (pending.length >= 256) {
      await Promise.all(pending.splice(0));
      onProgress?.(report.cases);
    }
  }
  await Promise.all(pending);
  report.wallMs = performance.now() - started;
  return report;
}
