import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, createRandom, UNCERTAIN_TOKEN, type Problem, type RunRecord } from '@confide/core';
import { loadBundledRun, workspaceRoot, writeRunDirectory } from '@confide/data';
import { SELF_CONTAINED_PROBLEM_LIMIT } from '@confide/viewer';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { launchChromium, watchedPage } from '../../tests/chromium.js';
import { runCli } from '../main.js';

/**
 * `confide view` beyond one page: a run of more than SELF_CONTAINED_PROBLEM_LIMIT problems is refused without
 * `--serve`, and with it is served as columns that the page reads (filters, sort and search on 100,000 problems in
 * headless Chromium). The runs are made up here from a seed: subjects, levels, verdicts, tokens, lengths and costs.
 */
const SUBJECTS = ['Algebra', 'Geometry', 'Number Theory', 'Precalculus'];
const folder = mkdtempSync(join(tmpdir(), 'confide-view-serve-'));

interface SyntheticRun {
  folder: string;
  records: RunRecord[];
}

function syntheticRun(name: string, problems: number, seed: number): SyntheticRun {
  const template = loadBundledRun('qwen-1.5b-lora-confidence');
  const model = template.records[0]!.generation.model;
  const random = createRandom(seed);
  const questions: Problem[] = [];
  const records: RunRecord[] = [];
  for (let index = 0; index < problems; index++) {
    const id = `synthetic/${index}`;
    const subject = SUBJECTS[index % SUBJECTS.length]!;
    const level = 1 + Math.floor(random() * 5);
    const correct = random() < 0.7;
    const output = 50 + Math.floor(random() * 500);
    questions.push({ id, problem: `Problem ${index}: what is ${index} modulo 7?`, answer: String(index % 7), subject, level });
    records.push({
      schemaVersion: 2,
      runId: name,
      problemId: id,
      sourceId: `s${index}`,
      subject,
      level,
      gold: String(index % 7),
      generation: {
        model,
        text: `Dividing ${index} by 7 leaves ${correct ? index % 7 : 7}. So the answer is $\\boxed{${correct ? index % 7 : 7}}$.`,
        answer: String(correct ? index % 7 : 7),
        confidenceToken: random() < 0.6 ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN,
        usage: { input: 100, output, thinking: 0 },
        latencyMs: 100 + Math.floor(random() * 900),
        finishReason: random() < 0.02 ? 'length' : 'stop',
      },
      grade: { correct, evaluator: 'recorded' },
    });
  }
  const runFolder = join(folder, name);
  writeRunDirectory(runFolder, { manifest: { ...template.manifest, runId: name, description: `made-up run of ${problems} problems`, dataset: 'synthetic', records: problems }, records, problems: questions });
  return { folder: runFolder, records };
}

/** `confide view <run> --serve` in its own process, until the URL it prints; stopped with SIGTERM. */
function serveInChild(run: string): Promise<{ child: ChildProcess; url: string; stderr: string[] }> {
  const child = spawn(process.execPath, ['--conditions=@confide/source', '--import', 'tsx', join(workspaceRoot(), 'packages/cli/src/main.ts'), 'view', run, '--serve', '--out', join(folder, 'unused')], {
    cwd: workspaceRoot(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(String(chunk)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += String(chunk);
      const url = /serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
      if (url) resolve({ child, url, stderr });
    });
    child.once('exit', (code) => reject(new Error(`confide view --serve exited ${code} before serving:\n${stderr.join('')}`)));
  });
}

let browser: Browser;
let served: { child: ChildProcess; url: string; stderr: string[] };
let run: SyntheticRun;
const PROBLEMS = 100_000;

beforeAll(async () => {
  run = syntheticRun('synthetic-100k', PROBLEMS, 20_260_601);
  served = await serveInChild(run.folder);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  served?.child.kill('SIGTERM');
});

/** Opens a hash and reads the count it shows: after the page drew it (data-render-ms), and a search's answer came. */
async function count(page: Page, hash: string): Promise<number> {
  await page.evaluate(() => document.getElementById('problem-count')?.removeAttribute('data-render-ms'));
  await page.evaluate((target) => (location.hash = target), hash);
  await page.waitForFunction(() => {
    const line = document.getElementById('problem-count');
    return line?.hasAttribute('data-render-ms') && line.hasAttribute('data-count');
  });
  return Number(await page.locator('#problem-count').getAttribute('data-count'));
}

describe('confide view beyond one page', () => {
  it(`refuses more than ${SELF_CONTAINED_PROBLEM_LIMIT.toLocaleString('en-US')} problems without --serve, naming it, before grading`, async () => {
    const over = syntheticRun('synthetic-over', SELF_CONTAINED_PROBLEM_LIMIT + 1, 7);
    const output = captureOutput();
    const code = await runCli(['view', over.folder, '--out', join(folder, 'over-bundle')]);
    vi.restoreAllMocks();
    expect(code).not.toBe(0);
    const said = output.err.join('\n');
    expect(said).toContain(`${SELF_CONTAINED_PROBLEM_LIMIT + 1} problems`);
    expect(said).toContain('--serve');
    expect(said).not.toContain('core/math read');
  }, 120_000);

  it('serves 100,000 problems as columns that the page filters, sorts and searches in headless Chromium', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1400, height: 1000 });
    const outside: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(served.url)) outside.push(request.url());
    });
    await page.goto(served.url, { waitUntil: 'load' });
    await page.locator('#problem-count').waitFor({ timeout: 60_000 });
    // the policy: the self-contained page's, and the server's own origin to read from
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toMatch(/; connect-src 'self'$/);
    expect(await page.locator('#problem-count').getAttribute('data-count')).toBe(String(PROBLEMS));
    expect(await page.locator('#problem-list a.row').count()).toBeLessThan(100);
    const records = run.records;
    const wrong = records.filter((record) => !record.grade.correct);
    expect(await count(page, '#/run?correct=wrong')).toBe(wrong.length);
    expect(await count(page, '#/run?correct=wrong&token=uncertain&level=3')).toBe(wrong.filter((record) => record.generation.confidenceToken === UNCERTAIN_TOKEN && record.level === 3).length);
    expect(await count(page, '#/run?subject=Geometry&finish=length')).toBe(records.filter((record) => record.subject === 'Geometry' && record.generation.finishReason === 'length').length);
    // sorted by output length, longest first, dataset order among equals: the first rows on screen
    expect(await count(page, '#/run?sort=length')).toBe(PROBLEMS);
    const byLength = records.map((record, index) => ({ index, output: record.generation.usage.output })).sort((left, right) => right.output - left.output || left.index - right.index);
    const shown = await page.locator('#problem-list a.row').evaluateAll((rows) => rows.slice(0, 5).map((row) => row.getAttribute('data-id')));
    expect(shown).toEqual(byLength.slice(0, 5).map(({ index }) => `synthetic/${index}`));
    // ascending latency among the wrong answers
    expect(await count(page, '#/run?correct=wrong&sort=latency&order=asc')).toBe(wrong.length);
    const quickest = await page.locator('#problem-list a.row').first().getAttribute('data-id');
    expect(records.find((record) => record.problemId === quickest)!.generation.latencyMs).toBe(Math.min(...wrong.map((record) => record.generation.latencyMs!)));
    // a search asks the server; the text of problem 12345's question
    expect(await count(page, '#/run?q=problem%2012345%3A')).toBe(1);
    // a problem page reads the problem from the server: its question and answer, math rendered
    await page.evaluate(() => (location.hash = `#/problem/${encodeURIComponent('synthetic/4242')}`));
    await page.locator('#problem-page').waitFor();
    expect(await page.locator('#question').innerText()).toContain('Problem 4242');
    expect(await page.locator('#answer-run .response .katex').count()).toBe(1);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 120_000);
});
