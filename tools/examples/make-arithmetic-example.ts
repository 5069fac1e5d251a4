/**
 * Writes the "bring your own data" worked example (experiments/byo-arithmetic/data): 300 generated arithmetic word
 * problems with known answers (CSV), and the per-problem results of two SIMULATED models in two other harnesses'
 * formats — a small model with a confidence token and P(c) (JSONL), a large one with verdicts written "True"/"False"
 * and token counts as strings (CSV). The simulation is seeded: its accuracy falls with the problem's level and P(c)
 * is higher, on average, for right answers. Not a real model: it exists to show the whole loop on data that isn't
 * MATH-500. Usage: node --conditions=@confide/source --import tsx tools/examples/make-arithmetic-example.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = join(import.meta.dirname, '..', '..', 'experiments', 'byo-arithmetic', 'data');
const PROBLEMS = 300;

/** mulberry32: a small seeded generator, so the files are the same on every machine. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

const draw = random(2026);
const integer = (low: number, high: number) => low + Math.floor(draw() * (high - low + 1));
const NAMES = ['Ada', 'Bruno', 'Chen', 'Dara', 'Eli', 'Fatima', 'Goran', 'Hana'];
const THINGS = ['apples', 'stamps', 'marbles', 'books', 'coins', 'shells'];

interface Row {
  id: string;
  question: string;
  answer: number;
  subject: string;
  level: number;
}

const problems: Row[] = Array.from({ length: PROBLEMS }, (_, index) => {
  const level = 1 + (index % 5);
  const size = 10 ** Math.min(level, 4);
  const name = NAMES[integer(0, NAMES.length - 1)]!;
  const thing = THINGS[integer(0, THINGS.length - 1)]!;
  const kind = ['addition', 'subtraction', 'multiplication', 'division'][index % 4]!;
  const a = integer(2, size);
  const b = integer(2, Math.max(3, Math.floor(size / (kind === 'multiplication' ? 10 : 1))));
  const [question, answer] =
    kind === 'addition'
      ? [`${name} has ${a} ${thing} and is given ${b} more. How many ${thing} does ${name} have now?`, a + b]
      : kind === 'subtraction'
        ? [`${name} has ${a + b} ${thing} and gives away ${b}. How many ${thing} are left?`, a]
        : kind === 'multiplication'
          ? [`${name} fills ${a} boxes with ${b} ${thing} each. How many ${thing} is that?`, a * b]
          : [`${name} shares ${a * b} ${thing} equally among ${b} friends. How many ${thing} does each friend get?`, a];
  return { id: `arith-${String(index).padStart(3, '0')}`, question, answer, subject: kind, level };
});

const csvCell = (value: string | number) => (typeof value === 'number' || !/[",\n]/.test(value) ? String(value) : `"${value.replace(/"/g, '""')}"`);
const csv = (header: string[], rows: Array<Array<string | number>>) => [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\n') + '\n';

/** A simulated model's answer: right with probability `skill(level)`, else off by a small amount. */
function simulate(seed: number, skill: (level: number) => number) {
  const next = random(seed);
  return problems.map((problem) => {
    const correct = next() < skill(problem.level);
    const answer = correct ? problem.answer : problem.answer + (next() < 0.5 ? -1 : 1) * (1 + Math.floor(next() * 9));
    const steps = 20 + problem.level * 25 + Math.floor(next() * 60);
    return { problem, correct, answer, steps, noise: next() };
  });
}

mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, 'problems.csv'), csv(['id', 'question', 'answer', 'subject', 'level'], problems.map((row) => [row.id, row.question, row.answer, row.subject, row.level])));

// the small model's harness: JSONL, ids by row position (prob_<i>), a confidence token with its probabilities
const small = simulate(7, (level) => 0.95 - level * 0.09);
writeFileSync(
  join(folder, 'small-results.jsonl'),
  small
    .map(({ problem, correct, answer, steps, noise }, index) => {
      const confident = Math.min(0.99, Math.max(0.01, (correct ? 0.72 : 0.38) + (noise - 0.5) * 0.5));
      const uncertain = Number((0.98 - confident).toFixed(4));
      return JSON.stringify({
        problem_id: `prob_${index}`,
        question: problem.question,
        response: `We work it out step by step. So the answer is \\boxed{${answer}}. ${confident >= 0.5 ? '<|c_math|>' : '<|u_math|>'}`,
        extracted_answer: String(answer),
        is_correct: correct,
        input_tokens: 40 + Math.floor(problem.question.length / 4),
        output_tokens: steps,
        latency_ms: 80 + steps * 2,
        confidence_token: confident >= 0.5 ? '<|c_math|>' : '<|u_math|>',
        p_confident: Number(confident.toFixed(4)),
        p_uncertain: uncertain,
      });
    })
    .join('\n') + '\n',
);

// the large model's harness: CSV, ids from the dataset, verdicts "True"/"False", numbers as strings
const large = simulate(11, (level) => 0.99 - level * 0.02);
writeFileSync(
  join(folder, 'large-results.csv'),
  csv(
    ['id', 'question', 'full_response', 'pred', 'verdict', 'prompt_tokens', 'completion_tokens', 'reasoning_tokens', 'latency'],
    large.map(({ problem, correct, answer, steps }) => [
      problem.id,
      problem.question,
      `Reasoning carefully: the result is ${answer}. Final answer: \\boxed{${answer}}`,
      String(answer),
      correct ? 'True' : 'False',
      String(60 + Math.floor(problem.question.length / 4)),
      String(steps * 3),
      String(steps * 5),
      ((400 + steps * 20) / 1000).toFixed(3),
    ]),
  ),
);
console.log(`wrote ${PROBLEMS} problems and two simulated runs to ${folder}`);
