import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import { loadBundledRun, loadDataset, writeRunDirectory, workspaceRoot } from '@confide/data';
import { createMathGrader, withMathGrades } from '@confide/evaluator-math';
import type { OperatingPoint, RunComparison } from '@confide/routing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { launchChromium, watchedPage, type WatchedPage } from '../../tests/chromium.js';
import { runCli } from '../main.js';

const root = workspaceRoot();
const folder = mkdtempSync(join(tmpdir(), 'confide-viewer-'));
const SMALL = 'qwen-1.5b-lora-confidence';
const COMPARED = 'delegation-2-flash';

let browser: Browser;
/** The ablation experiment viewed with its own score (the confidence token), compared with Delegation II. */
let pairBundle: string;
/** The same pair viewed on output length, the ablation's other threshold router. */
let lengthBundle: string;
let largeBundle: string;
/** The pair viewed on the learned logistic router's cross-fitted probability. */
let learnedBundle: string;
let ablation: { routers: { id: string; points: OperatingPoint[] }[] };
let cliComparison: RunComparison;

/** Runs the CLI, returning what it printed on stdout (stderr is silenced). */
async function cli(args: string[]): Promise<string> {
  const written: string[] = [];
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void written.push(`${args.join(' ')}\n`));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const code = await runCli(args);
    if (code !== 0) throw new Error(`confide ${args.join(' ')} exited ${code}`);
  } finally {
    stdout.mockRestore();
    log.mockRestore();
    stderr.mockRestore();
    errors.mockRestore();
  }
  return written.join('');
}

/** A run of 6,750 problems (the seed's SFT split), made up: answers, verdicts and tokens drawn from a seed. */
function largeRun(): string {
  const template = loadBundledRun(SMALL);
  const problems = loadDataset('math-train-sft');
  let state = 7;
  const random = () => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const records: RunRecord[] = problems.map((problem, index) => {
    const model = template.records[index % template.records.length]!;
    const correct = random() < 0.7;
    return {
      ...model,
      runId: 'synthetic-6750',
      problemId: problem.id,
      sourceId: `train_${index}`,
      ...(problem.subject ? { subject: problem.subject } : {}),
      ...(problem.level ? { level: problem.level } : {}),
      gold: problem.answer,
      generation: { ...model.generation, text: `${problem.problem}\n\nSo the answer is $\\boxed{${correct ? problem.answer : '0'}}$.`, answer: correct ? problem.answer : '0', confidenceToken: random() < 0.7 ? CONFIDENT_TOKEN : UNCERTAIN_TOKEN },
      grade: { ...model.grade, correct },
    };
  });
  const runFolder = join(folder, 'synthetic-6750');
  writeRunDirectory(runFolder, { manifest: { ...template.manifest, runId: 'synthetic-6750', description: 'made-up run of 6,750 problems', dataset: 'math-train-sft', records: records.length }, records });
  return runFolder;
}

beforeAll(async () => {
  const experiment = join(root, 'experiments', 'ablation-math500');
  pairBundle = (await cli(['view', experiment, '--compare', COMPARED, '--out', join(folder, 'pair')])).trim();
  lengthBundle = (await cli(['view', experiment, '--score', 'generation.usage.output', '--out', join(folder, 'length')])).trim();
  largeBundle = (await cli(['view', largeRun(), '--out', join(folder, 'large')])).trim();
  learnedBundle = (await cli(['view', experiment, '--router', 'learned-logistic', '--out', join(folder, 'learned')])).trim();
  await cli(['ablate', '--experiment', experiment, '--out', join(folder, 'ablation')]);
  ablation = JSON.parse(readFileSync(join(folder, 'ablation', 'summary.json'), 'utf8')) as typeof ablation;
  cliComparison = JSON.parse(await cli(['compare', SMALL, COMPARED, '--json'])) as RunComparison;
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

async function open(bundle: string, hash = ''): Promise<WatchedPage> {
  const { page, errors, outside } = await watchedPage(browser, { width: 1400, height: 1000 });
  await page.goto(`${pathToFileURL(bundle).href}${hash}`, { waitUntil: 'load' });
  await page.locator('#problem-count, #problem-page').first().waitFor();
  return { page, errors, outside };
}

async function count(page: Page, hash: string): Promise<number> {
  await page.evaluate((target) => (location.hash = target), hash);
  await page.waitForFunction((target) => location.hash === target, hash);
  return Number(await page.locator('#problem-count').getAttribute('data-count'));
}

async function value(page: Page, selector: string, attribute = 'data-value'): Promise<number> {
  return Number(await page.locator(selector).getAttribute(attribute));
}

describe('confide view in headless Chromium', () => {
  it('opens from file:// with no console error and no outside request, and says what it holds', async () => {
    const { page, errors, outside } = await open(pairBundle);
    expect(await page.locator('h1').innerText()).toContain('Routing ablations on MATH-500');
    expect(await value(page, '#summary-accuracy')).toBeCloseTo(0.72, 12);
    expect(await page.locator('#problem-count').getAttribute('data-count')).toBe('500');
    for (const tab of ['#tab-threshold', '#tab-compare']) {
      await page.locator(tab).click();
      await page.locator('#problem-count').waitFor();
    }
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('filters give the counts the records give', async () => {
    const records = loadBundledRun(SMALL).records;
    const grader = createMathGrader({ timeoutMs: 10_000 });
    const math = await withMathGrades(records, grader);
    await grader.close();
    const { page, errors } = await open(pairBundle);
    const wrongConfident = records.filter((record) => !record.grade.correct && record.generation.confidenceToken === CONFIDENT_TOKEN).length;
    expect(await count(page, '#/run?correct=wrong&token=confident')).toBe(wrongConfident);
    expect(await count(page, '#/run?disagree=1')).toBe(records.filter((record, index) => record.grade.correct !== math[index]!.grade.correct).length);
    expect(await count(page, '#/run?level=5&subject=Algebra')).toBe(records.filter((record) => record.level === 5 && record.subject === 'Algebra').length);
    // at the confidence token's middle threshold (1), every answer without <|c_math|> is delegated: Delegation II
    expect(await count(page, '#/run?route=delegated&t=1')).toBe(records.filter((record) => record.generation.confidenceToken !== CONFIDENT_TOKEN).length);
    const compared = loadBundledRun(COMPARED).records;
    const flips = records.filter((record) => compared.find((other) => other.problemId === record.problemId)!.grade.correct !== record.grade.correct).length;
    expect(await count(page, '#/run?flips=1')).toBe(flips);
    expect(await count(page, '#/run?q=test%2Fprecalculus%2F807.json')).toBe(1);
    // a link opens the same view: the state is the URL's
    await page.locator('#filter-correct').selectOption('wrong');
    expect(await page.evaluate(() => location.hash)).toContain('correct=wrong');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a problem page shows the question and the answers with rendered math', async () => {
    const { page, errors, outside } = await open(pairBundle, `#/problem/${encodeURIComponent('test/precalculus/807.json')}`);
    expect(await page.locator('#question .katex').count()).toBeGreaterThan(0);
    expect(await page.locator('#gold .katex').count()).toBe(1);
    expect(await page.locator('#answer-run .response .katex').count()).toBeGreaterThan(3);
    expect(await page.locator('#answer-large .response .katex').count()).toBeGreaterThan(0);
    expect(await page.locator('#answer-compare').count()).toBe(1);
    const facts = await page.locator('#answer-run').innerText();
    expect(facts).toContain('core/math');
    expect(facts).toContain('[boxed]');
    // core/math's explanation: each side as read, and the deciding rule
    expect(facts).toMatch(/why\s+gold read as .+ · answer read as .+ · decided by \S+/);
    expect(await page.locator('#answer-run .calls tbody tr').count()).toBe(1);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it("the slider's numbers equal confide ablate's sweep at three thresholds", async () => {
    const points = ablation.routers.find((router) => router.id === 'output-length')!.points;
    const { page, errors } = await open(lengthBundle, '#/threshold');
    expect(Number(await page.locator('#threshold-slider').getAttribute('max'))).toBe(points.length - 1);
    for (const k of [3, Math.floor(points.length / 2), points.length - 5]) {
      await page.locator('#threshold-slider').fill(String(k));
      await page.waitForFunction((index) => location.hash.includes(`t=${index}`), k);
      expect(await value(page, '#threshold-value')).toBe(points[k]!.parameter);
      expect(await value(page, '#threshold-accuracy')).toBeCloseTo(points[k]!.accuracy, 12);
      expect(await value(page, '#threshold-cost')).toBeCloseTo(points[k]!.costUsd, 12);
      expect(await value(page, '#threshold-rate')).toBeCloseTo(points[k]!.delegationRate, 12);
    }
    // a learned router's cross-fitted probability, moved like P(c)
    const learned = ablation.routers.find((router) => router.id === 'learned-logistic')!.points;
    const learnedPage = await open(learnedBundle, '#/threshold');
    expect(Number(await learnedPage.page.locator('#threshold-slider').getAttribute('max'))).toBe(learned.length - 1);
    for (const k of [10, Math.floor(learned.length / 2), learned.length - 10]) {
      await learnedPage.page.locator('#threshold-slider').fill(String(k));
      await learnedPage.page.waitForFunction((index) => location.hash.includes(`t=${index}`), k);
      expect(await value(learnedPage.page, '#threshold-value')).toBeCloseTo(learned[k]!.parameter!, 12);
      expect(await value(learnedPage.page, '#threshold-accuracy')).toBeCloseTo(learned[k]!.accuracy, 12);
      expect(await value(learnedPage.page, '#threshold-cost')).toBeCloseTo(learned[k]!.costUsd, 12);
    }
    expect(learnedPage.errors).toEqual([]);
    await learnedPage.page.close();
    // the confidence token's sweep (three points) in the other bundle
    const token = ablation.routers.find((router) => router.id === 'confidence-token')!.points;
    const pair = await open(pairBundle, '#/threshold?t=1');
    expect(await value(pair.page, '#threshold-accuracy')).toBeCloseTo(token[1]!.accuracy, 12);
    expect(await value(pair.page, '#threshold-cost')).toBeCloseTo(token[1]!.costUsd, 12);
    expect(errors).toEqual([]);
    expect(pair.errors).toEqual([]);
    await page.close();
    await pair.page.close();
  }, 60_000);

  it("the compare view's flips, McNemar p-value and interval equal confide compare's", async () => {
    const { page, errors } = await open(pairBundle, '#/compare');
    expect(await value(page, '#compare-right-to-wrong')).toBe(cliComparison.flips.rightToWrong);
    expect(await value(page, '#compare-wrong-to-right')).toBe(cliComparison.flips.wrongToRight);
    expect(await value(page, '#compare-p')).toBeCloseTo(cliComparison.mcnemar.pValue, 14);
    expect(await value(page, '#compare-interval', 'data-lower')).toBeCloseTo(cliComparison.differenceInterval.lower, 14);
    expect(await value(page, '#compare-interval', 'data-upper')).toBeCloseTo(cliComparison.differenceInterval.upper, 14);
    expect(await value(page, '#compare-cost')).toBeCloseTo(cliComparison.costDifferenceUsd, 12);
    await page.locator('#show-flips').click();
    await page.waitForFunction(() => location.hash.includes('flips=1'));
    expect(Number(await page.locator('#problem-count').getAttribute('data-count'))).toBe(cliComparison.flips.rightToWrong + cliComparison.flips.wrongToRight);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('a 6,750-problem run scrolls and filters in a virtualised list (the time is reported, not asserted)', async () => {
    const { page, errors, outside } = await open(largeBundle);
    expect(await page.locator('#problem-count').getAttribute('data-count')).toBe('6750');
    expect(await page.locator('#problem-list a.row').count()).toBeLessThan(100);
    const timings: string[] = [];
    for (const hash of ['#/run?correct=wrong', '#/run?correct=wrong&token=uncertain', '#/run?q=triangle', '#/run?sort=length']) {
      await page.evaluate(() => document.getElementById('problem-count')?.removeAttribute('data-render-ms'));
      await count(page, hash);
      await page.waitForFunction(() => document.getElementById('problem-count')?.hasAttribute('data-render-ms'));
      const filterMs = await value(page, '#problem-count', 'data-filter-ms');
      const renderMs = await value(page, '#problem-count', 'data-render-ms');
      timings.push(`${hash.slice(6)}: ${filterMs.toFixed(1)} ms to filter, ${renderMs.toFixed(1)} ms to the next paint`);
    }
    await page.locator('#problem-list').evaluate((list) => (list.scrollTop = 100_000));
    await page.waitForFunction(() => document.querySelectorAll('#problem-list a.row').length > 0);
    console.log(`viewer: 6,750-problem run, measured in the page: ${timings.join('; ')}`);
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);
});
