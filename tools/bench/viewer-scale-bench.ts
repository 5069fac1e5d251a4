/// <reference lib="dom" />
/**
 * Viewer scale benchmark (issue 25, items 6 and 7: the view bundle stage). For each size it writes a made-up run from a
 * seeded PRNG (no data is read: questions, ~300-character responses with a boxed answer, verdicts, tokens, P(c), costs
 * and latencies), then runs `confide view` on it in its own process as a user would — up to 50,000 problems it writes
 * the self-contained page, beyond that `--serve` serves the problems as columns — and prints the command's wall time
 * (for --serve: until it is listening) and peak memory (VmHWM), then opens the page in headless Chromium (Debian's
 * chromium, as the tests) and prints the time from navigation to the problem table drawn (the server already
 * listening), and each filter and sort from the hash change to the next paint, as the page measures it. The ratio
 * between consecutive sizes is printed for the command's time and memory.
 *
 * Run: node --conditions=@confide/source --import tsx tools/bench/viewer-scale-bench.ts [sizes=10000,100000,1000000] [seed=20260601]
 * (`viewerScaleBench` is exported for tools/bench/scale-bench.ts.)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIDENT_TOKEN, createRandom, RUN_RECORD_SCHEMA_VERSION, UNCERTAIN_TOKEN, type Problem, type RunRecord } from '@confide/core';
import { loadBundledRun, RECORDS_FILE, workspaceRoot, writeRunDirectory } from '@confide/data';
import { SELF_CONTAINED_PROBLEM_LIMIT } from '@confide/viewer';
import { chromium, type Browser, type Page } from 'playwright-core';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SUBJECTS = ['Algebra', 'Counting & Probability', 'Geometry', 'Intermediate Algebra', 'Number Theory', 'Prealgebra', 'Precalculus'];
const WORDS = ['we', 'note', 'that', 'the', 'sum', 'of', 'both', 'sides', 'gives', 'so', 'then', 'hence', 'divide', 'by', 'and', 'simplify', 'to', 'get', 'factor', 'square', 'root', 'term', 'each', 'value'];

/** The filters and sorts timed on the page (its URL hash), beside the first paint. */
const FILTERS = [
  ['verdict', '#/run?correct=wrong'],
  ['verdict + token + level', '#/run?correct=wrong&token=uncertain&level=3'],
  ['subject + finish', '#/run?subject=Geometry&finish=length'],
  ['sort by output length', '#/run?sort=length'],
  ['sort by cost, ascending', '#/run?sort=cost&order=asc'],
  ['verdict, sort by P(c)', '#/run?correct=right&sort=p'],
] as const;

export interface ViewerScaleResult {
  problems: number;
  /** Mean bytes of one record's JSON line, and of the run's records.jsonl.gz. */
  rowBytes: number;
  recordsFileBytes: number;
  /** `page`: the self-contained page written; `served`: served as columns (--serve). */
  mode: 'page' | 'served';
  /** The command's wall time (--serve: from start until it prints its URL) and peak resident memory. */
  commandSeconds: number;
  peakMemoryMb: number;
  /** The command's own progress lines, each with the seconds since it started. */
  steps: string[];
  /** Navigation to the problem table drawn (the next animation frame after it appears). */
  firstPaintMs: number;
  /** Each filter or sort: the selection's time, and the hash change to the next paint (both measured in the page). */
  filters: { name: string; hash: string; count: number; filterMs: number; paintMs: number }[];
  /** A search (served: answered by the server), hash change to the count shown, measured from here. */
  searchMs: number;
}

/** A made-up run of `problems` problems, written as a run directory (its problems and records). */
export function writeSyntheticRun(folder: string, problems: number, seed: number): { rowBytes: number; recordsFileBytes: number } {
  const template = loadBundledRun('qwen-1.5b-lora-confidence');
  const model = template.records[0]!.generation.model;
  // the problems, then the records from a second stream
  const random = createRandom(seed);
  const questions: Problem[] = Array.from({ length: problems }, (_, index) => {
    const gold = String(Math.floor(random() * 1000));
    const subject = SUBJECTS[index % SUBJECTS.length]!;
    return { id: `synthetic/${index}`, problem: `Problem ${index}: find the value of $x$ when $${index % 97}x + ${gold} = ${index % 89}$.`, answer: gold, subject, level: 1 + Math.floor(random() * 5) };
  });
  const draw = createRandom(seed + 1);
  let lineBytes = 0;
  const records: RunRecord[] = new Array(problems);
  for (let index = 0; index < problems; index++) {
    const { id, answer: gold, subject, level } = questions[index]! as Required<Problem>;
    const correct = draw() < 0.65;
    const answer = correct ? gold : String(Math.floor(draw() * 1000));
    // ~300 characters: words from a seeded draw, then the boxed answer
    let text = '';
    while (text.length < 270) text += `${WORDS[Math.floor(draw() * WORDS.length)]} `;
    text += `so the answer is $\\boxed{${answer}}$.`;
    const confident = draw() < (correct ? 0.8 : 0.35);
    const p = confident ? 0.5 + 0.5 * draw() : 0.5 * draw();
    const record: RunRecord = {
      schemaVersion: RUN_RECORD_SCHEMA_VERSION,
      runId: 'synthetic',
      problemId: id,
      sourceId: `train/${subject.toLowerCase().replace(/[^a-z]+/g, '_')}/${index}.json`,
      subject,
      level,
      gold,
      generation: {
        model,
        text,
        answer,
        confidenceToken: confident ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN,
        confidenceProbabilities: { confident: p, uncertain: 1 - p },
        usage: { input: 80 + Math.floor(draw() * 200), output: 60 + Math.floor(draw() * 600), thinking: 0 },
        latencyMs: 200 + Math.floor(draw() * 3000),
        finishReason: draw() < 0.02 ? 'length' : 'stop',
      },
      grade: { correct, evaluator: 'recorded' },
    };
    lineBytes += Buffer.byteLength(JSON.stringify(record)) + 1;
    records[index] = record;
  }
  writeRunDirectory(folder, {
    manifest: { ...template.manifest, runId: 'synthetic', description: `made-up run of ${problems} problems (viewer-scale-bench)`, dataset: 'synthetic', records: problems },
    records,
    problems: questions,
  });
  return { rowBytes: lineBytes / problems, recordsFileBytes: statSync(join(folder, RECORDS_FILE)).size };
}

/** Peak resident memory of a live process (VmHWM), in MB; null once it is gone. */
function peakMemoryMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

interface CommandRun {
  seconds: number;
  peakMemoryMb: number;
  steps: string[];
  /** What the page is opened at: the bundle's file URL, or the server's URL. */
  url: string;
  stop: () => void;
}

/** `confide view <run>` (with --serve beyond one page) in its own process, timed until it wrote its page or listens. */
function runView(run: string, out: string, serve: boolean): Promise<CommandRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(workspaceRoot(), 'packages/cli/src/main.ts'), 'view', run, '--out', out, ...(serve ? ['--serve'] : [])], {
    cwd: workspaceRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakMemoryMb(child.pid!) ?? peak)), 50);
  const steps: string[] = [];
  const seconds = () => (performance.now() - started) / 1000;
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of String(chunk).split('\n').filter((text) => text.trim() !== '')) steps.push(`${seconds().toFixed(1)} s  ${line}`);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const done = (url: string) => {
      clearInterval(poll);
      peak = Math.max(peak, peakMemoryMb(child.pid!) ?? peak);
      resolve({ seconds: seconds(), peakMemoryMb: peak, steps, url, stop: () => child.kill('SIGTERM') });
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      out += String(chunk);
      const url = /serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (serve && url) done(url);
    });
    child.once('exit', (code) => {
      clearInterval(poll);
      if (!serve && code === 0) resolve({ seconds: seconds(), peakMemoryMb: peak, steps, url: pathToFileURL(out.trim().split('\n').at(-1)!).href, stop: () => undefined });
      else reject(new Error(`confide view exited ${code}:\n${steps.join('\n')}`));
    });
  });
}

/** Sets the page's hash and waits for the page's own measurement of it (the time to the next paint). */
async function timeHash(page: Page, hash: string): Promise<{ count: number; filterMs: number; paintMs: number }> {
  await page.evaluate(() => document.getElementById('problem-count')?.removeAttribute('data-render-ms'));
  await page.evaluate((target) => (location.hash = target), hash);
  await page.waitForFunction((target) => location.hash === target && document.getElementById('problem-count')?.hasAttribute('data-render-ms'), hash, { timeout: 60_000 });
  const attribute = async (name: string) => Number(await page.locator('#problem-count').getAttribute(name));
  return { count: await attribute('data-count'), filterMs: await attribute('data-filter-ms'), paintMs: await attribute('data-render-ms') };
}

async function measurePage(browser: Browser, url: string): Promise<Pick<ViewerScaleResult, 'firstPaintMs' | 'filters' | 'searchMs'>> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => void (message.type() === 'error' && errors.push(message.text())));
  await page.goto(url, { waitUntil: 'commit', timeout: 120_000 });
  await page.locator('#problem-count[data-count]').waitFor({ timeout: 120_000 });
  // performance.now() counts from the navigation's start
  const firstPaintMs = await page.evaluate(() => new Promise<number>((resolve) => requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0))));
  const filters: ViewerScaleResult['filters'] = [];
  for (const [name, hash] of FILTERS) filters.push({ name, hash, ...(await timeHash(page, hash)) });
  const searchStarted = Date.now();
  await page.evaluate(() => (location.hash = '#/run?q=problem%20123%3A'));
  await page.waitForFunction(() => document.getElementById('problem-count')?.getAttribute('data-count') === '1', undefined, { timeout: 120_000 });
  const searchMs = Date.now() - searchStarted;
  await page.close();
  if (errors.length > 0) throw new Error(`the page logged errors: ${errors.join('; ')}`);
  return { firstPaintMs, filters, searchMs };
}

/** The benchmark over `sizes` (problems), each on a fresh made-up run; `onLine` hears what happens as it happens. */
export async function viewerScaleBench(sizes: readonly number[], seed = 20_260_601, onLine: (line: string) => void = console.log): Promise<ViewerScaleResult[]> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const results: ViewerScaleResult[] = [];
  try {
    for (const problems of sizes) {
      const folder = mkdtempSync(join(tmpdir(), `viewer-scale-${problems}-`));
      try {
        const writing = performance.now();
        const written = writeSyntheticRun(join(folder, 'run'), problems, seed);
        onLine(`${problems.toLocaleString('en-US')} problems: run written in ${((performance.now() - writing) / 1000).toFixed(1)} s (a record ${Math.round(written.rowBytes)} bytes of JSON; records.jsonl.gz ${(written.recordsFileBytes / 1e6).toFixed(1)} MB)`);
        const serve = problems > SELF_CONTAINED_PROBLEM_LIMIT;
        const command = await runView(join(folder, 'run'), join(folder, 'bundle'), serve);
        try {
          onLine(`  confide view${serve ? ' --serve' : ''}: ${command.seconds.toFixed(1)} s${serve ? ' to listening' : ''}, peak ${Math.round(command.peakMemoryMb)} MB`);
          for (const step of command.steps) onLine(`    ${step}`);
          const measured = await measurePage(browser, command.url);
          const result: ViewerScaleResult = { problems, ...written, mode: serve ? 'served' : 'page', commandSeconds: command.seconds, peakMemoryMb: command.peakMemoryMb, steps: command.steps, ...measured };
          onLine(`  first paint ${Math.round(result.firstPaintMs)} ms from navigation; search ${result.searchMs} ms`);
          for (const filter of result.filters) onLine(`  ${filter.name.padEnd(26)} ${String(filter.count).padStart(8)} rows  selected in ${filter.filterMs.toFixed(1)} ms, painted ${filter.paintMs.toFixed(1)} ms after the hash change`);
          results.push(result);
        } finally {
          command.stop();
        }
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    }
  } finally {
    await browser.close();
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = (process.argv[2] ?? '10000,100000,1000000').split(',').map(Number);
  const seed = Number(process.argv[3] ?? 20_260_601);
  const results = await viewerScaleBench(sizes, seed);
  console.log('\nproblems   mode    command s  peak MB  first paint ms  slowest filter/sort paint ms  search ms');
  for (const result of results) {
    const slowest = Math.max(...result.filters.map((filter) => filter.paintMs));
    console.log(`${String(result.problems).padStart(9)}  ${result.mode.padEnd(6)}  ${result.commandSeconds.toFixed(1).padStart(9)}  ${String(Math.round(result.peakMemoryMb)).padStart(7)}  ${String(Math.round(result.firstPaintMs)).padStart(14)}  ${slowest.toFixed(1).padStart(28)}  ${String(result.searchMs).padStart(9)}`);
  }
  for (let index = 1; index < results.length; index++) {
    const [before, after] = [results[index - 1]!, results[index]!];
    console.log(`${after.problems} / ${before.problems}: command time × ${(after.commandSeconds / before.commandSeconds).toFixed(1)}, peak memory × ${(after.peakMemoryMb / before.peakMemoryMb).toFixed(1)}`);
  }
}
