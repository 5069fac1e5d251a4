/**
 * Import at scale (issue 25, item 7's import line): seeded synthetic results at 10k, 100k and 1M rows, as JSON Lines
 * and as CSV (responses of about 300 characters), each imported by the real `confide data import` as a whole process
 * against a JSON Lines dataset of as many problems (id, question, answer); prints per size and format the wall time,
 * the CPU time (user + system), the peak memory (the child's maximum resident set; both read by a preload at exit), the
 * row size, and the ratio between sizes. Goal on the 2-core machine: import 1M rows in <= 60 s and <= 1.5 GB. On a
 * machine others share, wall time follows their load; CPU time does not. The command runs from source (tsx), as
 * `npm run confide` does; its start-up alone (`confide --help`) is printed first, so it can be taken off.
 *
 *   node --conditions=@confide/source --import tsx tools/bench/import-scale-bench.ts [sizes=10000,100000,1000000] [formats=jsonl,csv] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@confide/data';

const positional = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));
const sizes = (positional[0] ?? '10000,100000,1000000').split(',').map(Number);
const formats = (positional[1] ?? 'jsonl,csv').split(',') as Array<'jsonl' | 'csv'>;
const keep = process.argv.includes('--keep');
const SEED = 25;
const MODEL = 'gemini-2.5-flash'; // priced by the bundled seed-math500 table

/** mulberry32: a small seeded generator, the same numbers on every machine. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['so', 'the', 'sum', 'of', 'both', 'sides', 'gives', 'we', 'find', 'that', 'x', 'equals', 'then', 'divide', 'by', 'two', 'and', 'check', 'factor', 'roots', 'hence', 'area', 'is', 'terms', 'substitute'];

/** A response of about 300 characters ending in a boxed answer. */
function response(random: () => number, answer: string): string {
  const words: string[] = [];
  let length = 0;
  while (length < 280) {
    const word = WORDS[Math.floor(random() * WORDS.length)]!;
    words.push(word);
    length += word.length + 1;
  }
  return `${words.join(' ')}. \\boxed{${answer}}`;
}

/** Writes lines through a buffer, a mebibyte at a time. */
function lineFile(path: string): { line(text: string): void; close(): number } {
  const descriptor = openSync(path, 'w');
  let pending: string[] = [];
  let characters = 0;
  let bytes = 0;
  const flush = () => {
    const chunk = Buffer.from(pending.join(''), 'utf8');
    writeSync(descriptor, chunk);
    bytes += chunk.length;
    pending = [];
    characters = 0;
  };
  return {
    line(text) {
      pending.push(text, '\n');
      characters += text.length + 1;
      if (characters >= 1 << 20) flush();
    },
    close() {
      flush();
      closeSync(descriptor);
      return bytes;
    },
  };
}

function csvCell(value: string | number | boolean): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

interface Generated {
  dataset: string;
  results: Record<'jsonl' | 'csv', { path: string; bytes: number }>;
}

/** The dataset (JSON Lines: id, question, answer) and the results in both formats, the same rows, from one seed. */
function generate(folder: string, size: number): Generated {
  const random = generator(SEED);
  const dataset = join(folder, `problems-${size}.jsonl`);
  const problems = lineFile(dataset);
  const jsonlPath = join(folder, `results-${size}.jsonl`);
  const csvPath = join(folder, `results-${size}.csv`);
  const jsonl = lineFile(jsonlPath);
  const csv = lineFile(csvPath);
  const columns = ['id', 'response', 'extracted_answer', 'is_correct', 'input_tokens', 'output_tokens', 'p_confident', 'p_uncertain', 'latency'] as const;
  csv.line(columns.join(','));
  for (let index = 0; index < size; index++) {
    const a = Math.floor(random() * 1000);
    const b = Math.floor(random() * 1000);
    const answer = String(a + b);
    const id = `syn/${index}`;
    problems.line(JSON.stringify({ id, question: `What is ${a} + ${b}? Give the sum as an integer, and show the working that leads to it.`, answer }));
    const correct = random() < 0.7;
    const pConfident = Math.round(random() * 1e6) / 1e6;
    const row = {
      id,
      response: response(random, correct ? answer : String(a + b + 1)),
      extracted_answer: correct ? answer : String(a + b + 1),
      is_correct: correct,
      input_tokens: 80 + Math.floor(random() * 40),
      output_tokens: 60 + Math.floor(random() * 200),
      p_confident: pConfident,
      p_uncertain: Math.round((1 - pConfident) * 1e6) / 1e6,
      latency: Math.round(random() * 5000) / 1000,
    };
    jsonl.line(JSON.stringify(row));
    csv.line(columns.map((column) => csvCell(row[column])).join(','));
  }
  problems.close();
  return { dataset, results: { jsonl: { path: jsonlPath, bytes: jsonl.close() }, csv: { path: csvPath, bytes: csv.close() } } };
}

const root = workspaceRoot();
const folder = mkdtempSync(join(tmpdir(), 'confide-import-scale-'));
// the child's peak resident set (kilobytes, as getrusage gives it) and CPU time (microseconds), written at exit
const preload = join(folder, 'peak-memory.cjs');
writeFileSync(
  preload,
  `process.on('exit', () => { const usage = process.resourceUsage(); require('node:fs').writeFileSync(process.env.CONFIDE_PEAK_MEMORY_FILE, JSON.stringify(usage)); });\n`,
);

function confide(args: string[]): { seconds: number; cpuSeconds: number; peakMegabytes: number; output: string } {
  const memoryFile = join(folder, 'peak-memory.txt');
  rmSync(memoryFile, { force: true });
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--conditions=@confide/source', '--import', import.meta.resolve('tsx'), '--require', preload, join(root, 'packages', 'cli', 'src', 'main.ts'), ...args], {
    cwd: folder,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', CONFIDE_PEAK_MEMORY_FILE: memoryFile },
    maxBuffer: 1 << 24,
  });
  const seconds = (performance.now() - started) / 1000;
  if (child.status !== 0) throw new Error(`confide ${args.join(' ')} exited ${child.status}:\n${child.stderr}`);
  const usage = JSON.parse(readFileSync(memoryFile, 'utf8')) as { maxRSS: number; userCPUTime: number; systemCPUTime: number };
  return { seconds, cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, peakMegabytes: usage.maxRSS / 1024, output: `${child.stdout}${child.stderr}` };
}

const startup = confide(['--help']);
console.log(`import at scale, seed ${SEED}, ${formats.join(' and ')}, in ${folder}; load average ${loadavg().map((value) => value.toFixed(1)).join(' ')}`);
console.log(`confide --help (start-up from source): ${startup.seconds.toFixed(2)} s wall, ${startup.cpuSeconds.toFixed(2)} s CPU, ${startup.peakMegabytes.toFixed(0)} MB`);
console.log('rows       format  file MB  bytes/row  record bytes (plain)  records.jsonl.gz MB  wall s   CPU s  peak MB  µs/row (wall)');
const results = new Map<string, { seconds: number; cpuSeconds: number; peakMegabytes: number }>();
for (const size of sizes) {
  const generated = generate(folder, size);
  for (const format of formats) {
    const input = generated.results[format];
    const out = join(folder, `run-${size}-${format}`);
    const run = confide(['data', 'import', input.path, '--dataset', generated.dataset, '--model', MODEL, '--out', out]);
    if (!run.output.includes(`${size} records`)) throw new Error(`import of ${size} ${format} rows printed:\n${run.output}`);
    const recordsBytes = statSync(join(out, 'records.jsonl.gz')).size;
    const plainRecordBytes = Number(spawnSync('sh', ['-c', `gzip -dc '${join(out, 'records.jsonl.gz')}' | wc -c`], { encoding: 'utf8' }).stdout.trim()) / size;
    results.set(`${size}/${format}`, run);
    console.log(
      `${String(size).padEnd(10)} ${format.padEnd(6)}  ${(input.bytes / 1e6).toFixed(1).padStart(7)}  ${(input.bytes / size).toFixed(0).padStart(9)}  ${plainRecordBytes.toFixed(0).padStart(20)}  ${(recordsBytes / 1e6).toFixed(1).padStart(19)}  ${run.seconds.toFixed(2).padStart(6)}  ${run.cpuSeconds.toFixed(2).padStart(6)}  ${run.peakMegabytes.toFixed(0).padStart(7)}  ${((run.seconds * 1e6) / size).toFixed(1).padStart(6)}`,
    );
    rmSync(out, { recursive: true, force: true });
  }
  if (!keep) for (const path of [generated.dataset, generated.results.jsonl.path, generated.results.csv.path]) rmSync(path, { force: true });
}
for (const format of formats) {
  for (let index = 1; index < sizes.length; index++) {
    const [smaller, larger] = [sizes[index - 1]!, sizes[index]!];
    const [a, b] = [results.get(`${smaller}/${format}`)!, results.get(`${larger}/${format}`)!];
    console.log(
      `${format}: ${larger} / ${smaller} rows (×${larger / smaller}): wall time ×${(b.seconds / a.seconds).toFixed(2)}, CPU time ×${(b.cpuSeconds / a.cpuSeconds).toFixed(2)}, peak memory ×${(b.peakMegabytes / a.peakMegabytes).toFixed(2)}`,
    );
  }
  const million = results.get(`1000000/${format}`);
  if (million) {
    const met = million.seconds <= 60 && million.peakMegabytes <= 1536;
    console.log(`${format}: 1M rows in ${million.seconds.toFixed(1)} s wall (${million.cpuSeconds.toFixed(1)} s CPU) and ${million.peakMegabytes.toFixed(0)} MB (goal <= 60 s and <= 1.5 GB: ${met ? 'met' : 'missed'})`);
  }
}
if (!keep) rmSync(folder, { recursive: true, force: true });
