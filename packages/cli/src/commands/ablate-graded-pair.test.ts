import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIDENT_TOKEN, UNCERTAIN_TOKEN, type RunRecord } from '@confide/core';
import { loadBundledRun, writeRunDirectory } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

/**
 * A small/large pair ablation on four MATH-500 problems with graded scores (partial credit); every answer 1,000 output
 * tokens and no input, so with the seed-math500 prices a small call costs $0.0001 and a large one $0.0025.
 *
 *   problem          p1    p2    p3    p4    mean
 *   small score      0.9   0.3   0.6   0.1   0.475   verdict (≥ 0.5): 1 0 1 0   token c u c u
 *   large score      1     0.8   0.4   0     0.55    verdict (≥ 0.5): 1 1 0 0
 *
 * The confidence-token sweep (keep <|c_math|>): keep all → 0.475 ($0.0004); delegate p2, p4 → (0.9 + 0.8 + 0.6 + 0) / 4
 * = 0.575 ($0.0004 + 2 × $0.0025 = $0.0054); delegate all → 0.55 ($0.0104). Reported at the token's own rate (0.5).
 * AIQ over the common range [$0.0004, $0.01] (small alone, large alone). Oracle: per problem the better score: (1 + 0.8 + 0.6 + 0.1) / 4 = 0.625; headroom captured at 0.575:
 * (0.575 − 0.475) / (0.625 − 0.475) = 2/3. Agreement zones read verdicts: both p1, small only p3, large only p2,
 * neither p4. RouterArena's optimal choice reads scores: p1 large, p2 large, p3 small, p4 small; the sweep's point
 * chooses small, large, small, large; p4 is left out (its choice scored 0): Opt.Sel 2/3, Opt.Acc (0.9 + 0.8 + 0.6) /
 * (1 + 0.8 + 0.6), Opt.Cost (0.0026 + 0.0026 + 0.0001) / (0.0001 + 0.0026 + 0.0001).
 */
let folder: string;
const scores: Record<string, number[]> = { small: [0.9, 0.3, 0.6, 0.1], large: [1, 0.8, 0.4, 0] };
const bundled: Record<string, string> = { small: 'qwen-1.5b-lora-confidence', large: 'gemini-flash' };

function writeRun(name: string): void {
  const run = loadBundledRun(bundled[name]!);
  const records: RunRecord[] = run.records.slice(0, 4).map((record, index) => ({
    ...record,
    generation: {
      ...record.generation,
      usage: { input: 0, output: 1000, thinking: 0 },
      confidenceToken: name === 'small' ? ([CONFIDENT_TOKEN, UNCERTAIN_TOKEN, CONFIDENT_TOKEN, UNCERTAIN_TOKEN] as const)[index]! : null,
      confidenceProbabilities: undefined,
    },
    grade: { correct: scores[name]![index]! >= 0.5, score: scores[name]![index]!, evaluator: 'test/graded', reason: 'a graded score, correct when ≥ 0.5' },
  }));
  writeRunDirectory(join(folder, name), { manifest: { ...run.manifest, records: records.length }, records, problems: null });
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'confide-graded-pair-'));
  writeRun('small');
  writeRun('large');
  writeFileSync(
    join(folder, 'experiment.json'),
    JSON.stringify({
      kind: 'ablation',
      name: 'graded-pair',
      title: 'A graded pair',
      dataset: 'math500',
      priceTable: 'seed-math500',
      small: { run: './small', label: 'small' },
      large: { run: './large', label: 'large' },
      routers: [
        { id: 'confidence-token', label: 'confidence token', router: { id: 'core/threshold', options: { score: 'confidence-token', threshold: 0.5 } }, sweep: { option: 'threshold', values: 'distinct' } },
        { id: 'always-small', label: 'always small', router: { id: 'core/always-small' } },
        { id: 'always-large', label: 'always large', router: { id: 'core/always-large' } },
      ],
      riskControl: [{ router: 'confidence-token', calibrationShare: 0.5, seed: 0, maxKeptErrorRate: 0.2, delta: 0.1, grid: { from: 0, to: 1, steps: 2 } }],
      bootstrap: { resamples: 50, seed: 0 },
    }),
  );
});

afterEach(() => vi.restoreAllMocks());

describe('confide ablate on a pair with graded scores', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let summary: Record<string, any>;

  beforeAll(async () => {
    const out = mkdtempSync(join(tmpdir(), 'confide-graded-pair-out-'));
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const code = await runCli(['ablate', '--experiment', folder, '--out', out]);
    expect(code, errors.join('\n')).toBe(0);
    summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
  }, 60_000);

  const router = (id: string) => summary['routers'].find((entry: { id: string }) => entry.id === id);

  it('averages graded scores for the pair and every point of a sweep', () => {
    expect(summary['pair'].small.accuracy).toBeCloseTo(0.475, 12);
    expect(summary['pair'].large.accuracy).toBeCloseTo(0.55, 12);
    expect(router('always-small').reported.accuracy).toBeCloseTo(0.475, 12);
    expect(router('always-large').reported.accuracy).toBeCloseTo(0.55, 12);
    const points = router('confidence-token').points.map((point: { accuracy: number; costUsd: number; delegationRate: number }) => [point.delegationRate, point.accuracy, point.costUsd]);
    expect(points.map(([rate]: number[]) => rate)).toEqual([0, 0.5, 1]);
    expect(points[0][1]).toBeCloseTo(0.475, 12);
    expect(points[1][1]).toBeCloseTo(0.575, 12);
    expect(points[1][2]).toBeCloseTo(0.0054, 12);
    expect(points[2][1]).toBeCloseTo(0.55, 12);
    // the fast path agrees with the engine, which reads the records' graded scores too
    expect(router('confidence-token').engineCheck.agreed).toBe(router('confidence-token').engineCheck.points);
    expect(router('confidence-token').reported.delegationRate).toBe(0.5);
  });

  it('takes AIQ over the common cost range, from the small model alone ($0.0004) to the large alone ($0.01)', () => {
    // hull (0.0004, 0.475) → (0.0054, 0.575), flat above (the last point, $0.0104, scores less):
    // (0.005 × (0.475 + 0.575) / 2 + (0.01 − 0.0054) × 0.575) / (0.01 − 0.0004) = 0.00527 / 0.0096
    expect(router('confidence-token').aiq).toBeCloseTo(0.00527 / 0.0096, 12);
  });

  it('puts the oracle at the better score per problem; zones read verdicts, RouterArena optimality reads scores', () => {
    const leaderboard = summary['leaderboard'];
    expect(leaderboard.oracleAccuracy).toBeCloseTo(0.625, 12);
    const token = leaderboard.routers.find((entry: { id: string }) => entry.id === 'confidence-token');
    expect(token.headroomCaptured).toBeCloseTo(2 / 3, 12);
    expect(leaderboard.zones).toEqual({ bothRight: 1, onlySmallRight: 1, onlyLargeRight: 1, bothWrong: 1 });
    expect(token.optimality.problems).toBe(3);
    expect(token.optimality.optimalSelection).toBeCloseTo(2 / 3, 12);
    expect(token.optimality.optimalAccuracy).toBeCloseTo(2.3 / 2.4, 12);
    expect(token.optimality.optimalCost).toBeCloseTo(0.0053 / 0.0028, 9);
  });

  it('guards graded answers with a bounded-loss test (Hoeffding–Bentkus), not the binomial one', () => {
    expect(summary['riskControl'][0].method).toMatch(/Hoeffding–Bentkus/);
    // the small model's mean loss on its calibration half (two problems) is a mean of two of 0.1, 0.7, 0.4, 0.9
    const loss = summary['riskControl'][0].feasibility.smallErrorRate;
    expect([0.4, 0.25, 0.5, 0.55, 0.8, 0.65].some((value) => Math.abs(value - loss) < 1e-12)).toBe(true);
  });
});
