/**
 * An ablation sweeping DeepConf's signals: a small run (the first 20 MATH-500 problems of qwen-1.5b-lora-confidence)
 * given a logprobs sidecar built here, confident logprobs for its right answers and flat ones for its wrong answers
 * (with overlap), against gemini-flash; `confide ablate` sweeps core/threshold on token-confidence.mean and
 * token-confidence.bottom-10 over every distinct score.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quantiseTokenLogprobs, summariseTokenConfidence, type RunRecord, type TokenConfidence } from '@confide/core';
import { loadBundledRun, LOGPROBS_FOLDER, LogprobsSidecarWriter, writeRunDirectory } from '@confide/data';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureOutput } from './capture-output.js';
import { runCli } from '../src/main.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-ablate-deepconf-'));
const COUNT = 20;
const summaries = new Map<string, TokenConfidence>();
let smallRecords: RunRecord[] = [];

/** Answer j's logprobs (k = 3, 6 to 10 tokens): peaked where it is right, flat where it is wrong, a few crossing over. */
function rowsOf(index: number, correct: boolean): number[][] {
  const confident = correct !== (index % 7 === 3); // problems 3, 10, 17 swap: some overlap between the two groups
  return Array.from({ length: 6 + (index % 5) }, (_, position) =>
    confident ? [-0.05 * ((index + position) % 3), -4 - (index % 4), -6] : [-0.4 - 0.05 * (position % 2), -1.2 - 0.1 * (index % 3), -2],
  );
}

function writeRun(name: string, bundled: string, withLogprobs: boolean): void {
  const run = loadBundledRun(bundled);
  const records = run.records.slice(0, COUNT);
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
  if (!withLogprobs) return;
  smallRecords = records;
  const sidecar = new LogprobsSidecarWriter(join(folder, name, LOGPROBS_FOLDER));
  records.forEach((record, index) => {
    const stored = quantiseTokenLogprobs({ k: 3, positions: rowsOf(index, record.grade.correct) });
    const summary = summariseTokenConfidence(stored, { groupWindow: 3, tailTokens: 4 });
    summaries.set(record.problemId, summary);
    sidecar.append(record.problemId, record.generation.model, stored, summary);
  });
  sidecar.close();
}

/** AUROC by counting pairs (a right answer scored above a wrong one counts 1, a tie ½): Mann–Whitney, written out. */
function aurocByPairs(scores: number[], correct: boolean[]): number {
  let wins = 0;
  let pairs = 0;
  scores.forEach((right, i) => {
    if (!correct[i]) return;
    scores.forEach((wrong, j) => {
      if (correct[j]) return;
      pairs++;
      wins += right > wrong ? 1 : right === wrong ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

beforeAll(() => {
  writeRun('small', 'qwen-1.5b-lora-confidence', true);
  writeRun('large', 'gemini-flash', false);
  const experimentFolder = join(folder, 'ablation');
  mkdirSync(experimentFolder, { recursive: true });
  const threshold = (score: string) => ({ router: { id: 'core/threshold', options: { score, threshold: 1 } }, sweep: { option: 'threshold', values: 'distinct' } });
  writeFileSync(
    join(experimentFolder, 'experiment.json'),
    JSON.stringify({
      kind: 'ablation',
      name: 'deepconf',
      title: 'DeepConf signals',
      dataset: 'math500',
      priceTable: 'seed-math500',
      grades: 'recorded',
      small: { run: '../small', label: 'small' },
      large: { run: '../large', label: 'large' },
      routers: [
        { id: 'mean', label: 'token confidence (mean)', ...threshold('token-confidence.mean') },
        { id: 'bottom-10', label: 'token confidence (bottom 10 %)', ...threshold('token-confidence.bottom-10') },
        { id: 'always-small', label: 'always small', router: { id: 'core/always-small' } },
      ],
      bootstrap: { resamples: 20, seed: 0 },
    }),
  );
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('an ablation over a run with a logprobs sidecar', () => {
  it('sweeps each DeepConf score over its distinct values, delegating what scores under each threshold', { timeout: 120_000 }, async () => {
    const out = join(folder, 'report');
    const output = captureOutput();
    const code = await runCli(['ablate', '--experiment', join(folder, 'ablation'), '--out', out]);
    vi.restoreAllMocks();
    expect(code, output.err.join('')).toBe(0);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const correct = smallRecords.map((record) => record.grade.correct);
    for (const [id, field] of [
      ['mean', 'mean'],
      ['bottom-10', 'bottom10'],
    ] as const) {
      const scores = smallRecords.map((record) => summaries.get(record.problemId)![field]!);
      const curve = summary.routers.find((router: { id: string }) => router.id === id);
      expect(curve.unscored).toBeNull();
      const distinct = [...new Set(scores)].sort((left, right) => left - right);
      expect(curve.points).toHaveLength(distinct.length + 1);
      // point i keeps the answers scored at or above the i-th lowest distinct score: i groups of them delegated
      curve.points.forEach((point: { delegationRate: number }, index: number) => {
        expect(point.delegationRate).toBeCloseTo(scores.filter((score) => index < distinct.length && score < distinct[index]!).length / COUNT + (index === distinct.length ? 1 : 0), 12);
      });
      const calibration = summary.calibration.find((entry: { score: string }) => entry.score === `token-confidence.${id}`);
      expect(calibration.auroc).toBeCloseTo(aurocByPairs(scores, correct), 12);
      expect(calibration.auroc).toBeGreaterThan(0.7); // the overlap keeps it under 1
      expect(calibration.auroc).toBeLessThan(1);
    }
  });
});
