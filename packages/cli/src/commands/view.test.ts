import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIDENT_TOKEN, SEED_PRICES_2025_11, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import { loadBundledRun, workspaceRoot, writeRunDirectory } from '@confide/data';
import { buildOutcomeTable, keepWhenConfidentToken, twoStageCascade } from '@confide/routing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from '../../tests/capture-output.js';
import { launchChromium, watchedPage } from '../../tests/chromium.js';
import { runCli } from '../main.js';

/**
 * `confide view` over K = 3 models with graded scores (correct = score ≥ 0.5), on the first four MATH-500 problems;
 * every answer 1,000 output tokens and no input, so with the seed-math500 prices a call costs: small (the fine-tuned
 * 1.5B) $0.0001, mid (7B) $0.0003, large (Flash) $0.0025.
 *
 *   problem     1     2     3     4      mean     mean cost
 *   small       1     0.5   0     0.25   0.4375   $0.0001    P(c) .9 .6 .3 none (tokens under the floor); token c c u u
 *   mid         0.5   1     0     0.5    0.5      $0.0003    (answers a fifth problem: 1 left out)
 *   large       1     1     0.5   0      0.625    $0.0025
 *
 * Keep small, escalate to large on small's P(c), thresholds .3 .6 .9 1.9: mean scores .375 .5 .625 .625, total costs
 * $.0029 .0054 .0079 .0104. Keep small, escalate to mid on the token, threshold 1: mean score .5, total cost $.001.
 * small against large: wrong → right 1 (problem 3), right → wrong 0; mean scores .4375 → .625.
 */
const scores: Record<string, number[]> = { small: [1, 0.5, 0, 0.25], mid: [0.5, 1, 0, 0.5, 1], large: [1, 1, 0.5, 0] };
const bundled: Record<string, string> = { small: 'qwen-1.5b-lora-confidence', mid: 'qwen-7b', large: 'gemini-flash' };
const pConfident = [0.9, 0.6, 0.3, null];

let folder: string;
let browser: Browser;
let bundle: string;

function writeRun(name: string): void {
  const run = loadBundledRun(bundled[name]!);
  const records: RunRecord[] = scores[name]!.map((score, index) => {
    const record = run.records[index]!;
    const p = pConfident[index];
    return {
      ...record,
      generation: {
        ...record.generation,
        usage: { input: 0, output: 1000, thinking: 0 },
        confidenceToken: name === 'small' ? ([CONFIDENT_TOKEN, CONFIDENT_TOKEN, UNCERTAIN_TOKEN, UNCERTAIN_TOKEN] as const)[index]! : null,
        confidenceProbabilities: name !== 'small' ? undefined : p === null ? { confident: 1e-9, uncertain: 1e-9 } : { confident: p!, uncertain: 1 - p! },
      },
      grade: { correct: score >= 0.5, score, evaluator: 'recorded' },
    };
  });
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
}

async function view(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const output = captureOutput();
  const code = await runCli(['view', ...args]);
  vi.restoreAllMocks();
  return { code, ...output };
}

/** The data a bundle carries inline. */
function bundleData(file: string): { runs: Array<{ id: string; label: string; role: string }>; lost: Array<{ label: string; count: number }>; problems: unknown[] } {
  const html = readFileSync(file, 'utf8');
  const json = /<script type="application\/json" id="confide-view-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  return JSON.parse(json);
}

async function value(page: Page, selector: string, attribute = 'data-value'): Promise<number> {
  return Number(await page.locator(selector).first().getAttribute(attribute));
}

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'confide-view-models-'));
  for (const name of Object.keys(scores)) writeRun(name);
  const result = await view([`small=${join(folder, 'small')}`, '--model', `mid=${join(folder, 'mid')}`, '--model', `large=${join(folder, 'large')}`, '--out', join(folder, 'bundle')]);
  expect(result.code, result.err.join('\n')).toBe(0);
  bundle = result.out.at(-1)!.trim();
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

afterEach(() => vi.restoreAllMocks());

describe('confide view over K models', () => {
  it('bundles every model on the problems all answered, labelled, and counts what each lost', () => {
    const data = bundleData(bundle);
    expect(data.runs.map((run) => [run.label, run.role])).toEqual([
      ['small', 'model'],
      ['mid', 'model'],
      ['large', 'model'],
    ]);
    expect(data.problems).toHaveLength(4);
    expect(data.lost.map((entry) => [entry.label, entry.count])).toEqual([
      ['small', 0],
      ['mid', 1],
      ['large', 0],
    ]);
  });

  it("shows each model's mean score and cost in the header, and every answer's score and cost on a problem", async () => {
    const { page, errors, outside } = await watchedPage(browser, { width: 1400, height: 1000 });
    await page.goto(pathToFileURL(bundle).href, { waitUntil: 'load' });
    await page.locator('#runs-table').waitFor();
    const means = { small: [0.4375, 0.0001], mid: [0.5, 0.0003], large: [0.625, 0.0025] };
    for (const [label, [score, cost]] of Object.entries(means)) {
      expect(await value(page, `#runs-table tr[data-run="${label}"]`, 'data-mean-score')).toBeCloseTo(score!, 12);
      expect(await value(page, `#runs-table tr[data-run="${label}"]`, 'data-mean-cost')).toBeCloseTo(cost!, 12);
    }
    expect(await page.locator('#lost-problems').innerText()).toContain('mid 1');
    // the table's rows show every model's score; the third problem: 0 · 0 · .50
    const third = loadBundledRun(bundled.small!).records[2]!.problemId;
    expect(await page.locator(`#problem-list a.row[data-id="${third}"] .scores`).innerText()).toBe('0 · 0 · .50');
    await page.evaluate((id) => (location.hash = `#/problem/${encodeURIComponent(id)}`), third);
    await page.locator('#problem-page').waitFor();
    expect(await page.locator('#problem-page section.answer').count()).toBe(3);
    for (const [run, [score, cost]] of [[0, [0, 0.0001]], [1, [0, 0.0003]], [2, [0.5, 0.0025]]] as const) {
      expect(await value(page, `#answer-model-${run}`, 'data-score')).toBe(score);
      expect(await value(page, `#answer-model-${run}`, 'data-cost')).toBeCloseTo(cost, 12);
      expect(await value(page, `#problem-models tbody tr:nth-child(${run + 1})`, 'data-score')).toBe(score);
    }
    expect(await page.locator('#answer-model-2 h3').innerText()).toContain('score 0.500');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  }, 60_000);

  it('moves the threshold for a picked (keep, escalate-to) pair on the keep model’s P(c) or token', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1400, height: 1000 });
    await page.goto(`${pathToFileURL(bundle).href}#/threshold`, { waitUntil: 'load' });
    await page.locator('#threshold-panel').waitFor();
    // the default pair: small (the first model with a score) escalating to large (the best other by mean score)
    expect(await page.locator('#threshold-panel').getAttribute('data-keep')).toBe('small');
    expect(await page.locator('#threshold-panel').getAttribute('data-to')).toBe('large');
    expect(Number(await page.locator('#threshold-slider').getAttribute('max'))).toBe(3);
    const expected = [[0.3, 0.375, 0.0029], [0.6, 0.5, 0.0054], [0.9, 0.625, 0.0079], [1.9, 0.625, 0.0104]] as const;
    for (const [k, [threshold, score, cost]] of expected.entries()) {
      await page.locator('#threshold-slider').fill(String(k));
      await page.waitForFunction((index) => location.hash.includes(`t=${index}`), k);
      expect(await value(page, '#threshold-value')).toBe(threshold);
      expect(await value(page, '#threshold-score')).toBeCloseTo(score, 12);
      expect(await value(page, '#threshold-cost')).toBeCloseTo(cost, 12);
    }
    // escalate to mid instead, on small's confidence token
    await page.locator('#threshold-to').selectOption('mid');
    await page.waitForFunction(() => document.getElementById('threshold-panel')?.getAttribute('data-to') === 'mid');
    await page.locator('#threshold-by').selectOption('confidence-token');
    await page.waitForFunction(() => location.hash.includes('by=confidence-token'));
    await page.locator('#threshold-slider').fill('1');
    await page.waitForFunction(() => location.hash.includes('t=1'));
    expect(await value(page, '#threshold-score')).toBeCloseTo(0.5, 12);
    expect(await value(page, '#threshold-cost')).toBeCloseTo(0.001, 12);
    expect(await value(page, '#threshold-rate')).toBe(0.5);
    // the table follows the keep model and the threshold: two of four problems escalated to mid
    await page.locator('#filter-route').selectOption('delegated');
    await page.waitForFunction(() => location.hash.includes('route=delegated'));
    expect(await page.locator('#problem-count').getAttribute('data-count')).toBe('2');
    // a keep model with neither P(c) nor a token: the page says so
    await page.locator('#threshold-keep').selectOption('large');
    await page.locator('#threshold-none').waitFor();
    expect(await page.locator('#threshold-none').innerText()).toContain('large carries neither P(c) nor a confidence token');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('compares any two of the models', async () => {
    const { page, errors } = await watchedPage(browser, { width: 1400, height: 1000 });
    await page.goto(`${pathToFileURL(bundle).href}#/compare?a=small&b=large`, { waitUntil: 'load' });
    await page.locator('#compare-panel').waitFor();
    expect(await value(page, '#compare-wrong-to-right')).toBe(1);
    expect(await value(page, '#compare-right-to-wrong')).toBe(0);
    expect(await value(page, '#compare-score', 'data-left')).toBe(0.4375);
    expect(await value(page, '#compare-score', 'data-right')).toBe(0.625);
    const lower = await value(page, '#compare-score-interval', 'data-lower');
    const upper = await value(page, '#compare-score-interval', 'data-upper');
    expect(lower).toBeLessThanOrEqual(0.1875);
    expect(upper).toBeGreaterThanOrEqual(0.1875);
    expect(await value(page, '#compare-cost')).toBeCloseTo(4 * (0.0025 - 0.0001), 12);
    await page.locator('#compare-left').selectOption('mid');
    await page.waitForFunction(() => document.getElementById('compare-panel')?.getAttribute('data-left') === 'mid');
    expect(await value(page, '#compare-score', 'data-left')).toBe(0.5);
    // mid against large: mid right on 1, 2, 4; large right on 1, 2, 3
    expect(await value(page, '#compare-right-to-wrong')).toBe(1);
    expect(await value(page, '#compare-wrong-to-right')).toBe(1);
    await page.locator('#show-flips').click();
    await page.waitForFunction(() => location.hash.includes('flips=1'));
    expect(await page.locator('#problem-count').getAttribute('data-count')).toBe('2');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it("views an ablation experiment's models with the experiment's labels", async () => {
    writeFileSync(
      join(folder, 'experiment.json'),
      JSON.stringify({
        kind: 'ablation',
        name: 'three-models',
        title: 'Three models',
        dataset: 'math500',
        priceTable: 'seed-math500',
        models: [
          { run: './small', label: 'small' },
          { run: './mid', label: 'mid' },
          { run: './large', label: 'large' },
        ],
        bootstrap: { resamples: 50, seed: 0 },
      }),
    );
    const result = await view([folder, '--out', join(folder, 'experiment-bundle')]);
    expect(result.code, result.err.join('\n')).toBe(0);
    const data = bundleData(result.out.at(-1)!.trim());
    expect(data.runs.map((run) => run.label)).toEqual(['small', 'mid', 'large']);
    expect(data.lost.map((entry) => entry.count)).toEqual([0, 1, 0]);
    const refused = await view([folder, '--router', 'p-confident', '--out', join(folder, 'refused')]);
    expect(refused.code).not.toBe(0);
    expect(refused.err.join('\n')).toMatch(/experiment\.json lists "models": --router applies to a run and its large or compared run, not to K models/);
  }, 60_000);

  it("on the six-model MATH-500 example, the token threshold's point equals the two-stage chain the ablation evaluates", async () => {
    const experiment = join(workspaceRoot(), 'experiments', 'ablation-math500-models');
    const result = await view([experiment, '--out', join(folder, 'math500-models')]);
    expect(result.code, result.err.join('\n')).toBe(0);
    const labels = ['qwen-1.5b', 'qwen-1.5b-lora-confidence', 'qwen-7b', 'gemini-flash-lite', 'gemini-flash', 'gemini-pro'];
    const table = buildOutcomeTable(labels.map((label) => ({ label, records: loadBundledRun(label).records })), SEED_PRICES_2025_11);
    const keep = labels.indexOf('qwen-1.5b-lora-confidence');
    const { page, errors } = await watchedPage(browser, { width: 1400, height: 1000 });
    for (const to of ['qwen-7b', 'gemini-flash', 'gemini-pro']) {
      const chain = twoStageCascade(table, keep, labels.indexOf(to), keepWhenConfidentToken(table, keep));
      await page.goto(`${pathToFileURL(result.out.at(-1)!.trim()).href}#/threshold?keep=qwen-1.5b-lora-confidence&to=${to}&by=confidence-token&t=1`, { waitUntil: 'load' });
      await page.locator('#threshold-panel').waitFor();
      expect(await value(page, '#threshold-score')).toBeCloseTo(chain.meanScore, 12);
      expect(await value(page, '#threshold-mean-cost')).toBeCloseTo(chain.meanCostUsd, 12);
      expect(await value(page, '#threshold-rate')).toBeCloseTo(chain.shares[labels.indexOf(to)]!, 12);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('refuses the pair options and a label given twice, naming them', async () => {
    const large = await view([join(folder, 'small'), '--model', join(folder, 'mid'), '--large', join(folder, 'large'), '--out', join(folder, 'no-1')]);
    expect(large.code).not.toBe(0);
    expect(large.err.join('\n')).toMatch(/--model: --large applies to a run and its large or compared run, not to K models/);
    const pair = await view([join(workspaceRoot(), 'experiments', 'ablation-math500'), '--model', 'qwen-7b', '--out', join(folder, 'no-3')]);
    expect(pair.code).not.toBe(0);
    expect(pair.err.join('\n')).toMatch(/--model: .*ablation-math500\/experiment\.json is an ablation of a small\/large pair, without "models"/);
    const calibrated = await view([join(workspaceRoot(), 'experiments', 'ablation-math500'), '--router', 'output-length-isotonic', '--out', join(folder, 'no-4')]);
    expect(calibrated.code).not.toBe(0);
    expect(calibrated.err.join('\n')).toMatch(/--router: router entry "output-length-isotonic" thresholds a calibrated score \(isotonic\).*give --score generation\.usage\.output \(and --direction keep-low\)/);
    const twice = await view([`a=${join(folder, 'small')}`, '--model', `a=${join(folder, 'mid')}`, '--out', join(folder, 'no-2')]);
    expect(twice.code).not.toBe(0);
    expect(twice.err.join('\n')).toMatch(/the label "a" is given to two runs/);
  }, 60_000);
});
