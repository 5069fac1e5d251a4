import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoutingPolicy } from '@confide/core';
import { RunStore, workspaceRoot } from '@confide/data';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../main.js';

afterEach(() => vi.restoreAllMocks());

const folder = mkdtempSync(join(tmpdir(), 'confide-policy-'));
const reportFolder = join(folder, 'ablation');

function quiet(): void {
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
}

beforeAll(async () => {
  quiet();
  expect(await runCli(['ablate', '--experiment', join(workspaceRoot(), 'experiments', 'ablation-math500'), '--out', reportFolder, '--routerarena-predictions', join(folder, 'routerarena')])).toBe(0);
  vi.restoreAllMocks();
}, 120_000);

/** The bundled live experiment (replay clients), its large side the ablation's large run, its router the policy. */
function liveExperimentWith(policyFile: string): string {
  const live = JSON.parse(readFileSync(join(workspaceRoot(), 'experiments', 'paper-math500-live', 'experiment.json'), 'utf8')) as Record<string, unknown> & { large: Record<string, unknown> };
  delete live['expect'];
  live['name'] = 'policy-applied';
  live['router'] = { policy: policyFile };
  live.large['client'] = { id: 'core/replay', options: { run: 'gemini-flash' } };
  live['evaluator'] = { id: 'core/recorded', options: { runs: ['qwen-1.5b-lora-confidence', 'gemini-flash'] } };
  const experiment = mkdtempSync(join(folder, 'live-'));
  writeFileSync(join(experiment, 'experiment.json'), JSON.stringify(live));
  return experiment;
}

describe('routing policies: written by confide ablate, applied by confide run', () => {
  // a learned router, a raw score, a calibrated score (its calibrator inline), and the targets on the routed system
  it.each([
    'learned-logistic-kept-error',
    'output-length-delegation-rate',
    'output-length-isotonic-kept-error',
    'learned-logistic-system-accuracy',
    'learned-logistic-mean-cost',
  ])('%s: confide run routes every problem as the ablation predicted', async (name) => {
    const policyFile = join(reportFolder, 'policies', `${name}.json`);
    const policy = RoutingPolicy.parse(JSON.parse(readFileSync(policyFile, 'utf8')));
    expect(policy.calibration.dataHash).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(policy.expectedRoutes)).toHaveLength(500);
    const experiment = liveExperimentWith(policyFile);
    quiet();
    expect(await runCli(['run', experiment, '--out', join(experiment, 'run')])).toBe(0);
    const records = new RunStore().load(join(experiment, 'run')).records;
    expect(records).toHaveLength(500);
    expect(policy.models).toEqual(['small', 'large']);
    // the policy routes by label; a pair's records name the label in route.target (route.model only where it differs)
    const mismatched = records.filter((record) => (record.route?.model ?? record.route?.target) !== policy.expectedRoutes[record.problemId]);
    expect(mismatched.map((record) => record.problemId)).toEqual([]);
    const delegated = records.filter((record) => record.route?.target === 'large').length;
    expect(delegated).toBe(Object.values(policy.expectedRoutes).filter((label) => label === 'large').length);
  }, 120_000);

  it('writes the calibrated score\'s policy with the calibrator of its own split, the threshold a calibrated probability', () => {
    const policy = RoutingPolicy.parse(JSON.parse(readFileSync(join(reportFolder, 'policies', 'output-length-isotonic-kept-error.json'), 'utf8')));
    const options = policy.router.options as { calibration: { method: string; calibrator?: { method: string }; crossFitted?: unknown }; threshold: number };
    expect(options.calibration.method).toBe('isotonic');
    expect(options.calibration.calibrator?.method).toBe('isotonic');
    expect(options.calibration.crossFitted).toBeUndefined();
    expect(policy.threshold.value).toBeGreaterThan(0);
    expect(policy.threshold.value).toBeLessThanOrEqual(1);
    // 250 problems calibrate the threshold; of the other 250, 125 fit the calibrator and 125 are the held-out check
    expect(policy.calibration.calibrationSize).toBe(250);
    expect(policy.calibration.scoreCalibrator).toEqual({ method: 'isotonic', fittedOn: { size: 125, dataHash: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(policy.calibration.heldOut.size).toBe(125);
    // the sweep itself: cross-fitted values, each engine check agreeing with the prefix sums on every problem
    const summary = JSON.parse(readFileSync(join(reportFolder, 'summary.json'), 'utf8')) as { routers: Array<{ id: string; engineCheck?: { points: number; agreed: number; problems: number }; router: { options: Record<string, unknown> } }> };
    const curve = summary.routers.find((router) => router.id === 'output-length-isotonic')!;
    expect(curve.engineCheck).toEqual({ points: 4, agreed: 4, problems: 500 });
    expect(curve.router.options['calibration']).toEqual({ method: 'isotonic', folds: 5, seed: 0 });
  });

  it("exports every router's choices in RouterArena's prediction-file format", () => {
    const predictions = JSON.parse(readFileSync(join(folder, 'routerarena', 'predictions', 'confidence-token.json'), 'utf8')) as { global_index: string; prompt: string; prediction: string }[];
    const config = JSON.parse(readFileSync(join(folder, 'routerarena', 'config', 'confidence-token.json'), 'utf8')) as { pipeline_params: { router_name: string; models: string[] } };
    expect(predictions).toHaveLength(500);
    expect(config.pipeline_params.models).toEqual(['qwen2.5-math-1.5b-instruct-lora-confidence', 'gemini-2.5-flash']);
    for (const entry of predictions) expect(config.pipeline_params.models).toContain(entry.prediction);
    expect(predictions[0]!.prompt).toContain('rectangular coordinates');
    // the confidence token's reported point delegates Delegation II's 155 problems
    expect(predictions.filter((entry) => entry.prediction === 'gemini-2.5-flash')).toHaveLength(155);
  });

  it('names a missing or malformed policy file in one line', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...args) => void errors.push(args.join(' ')));
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const broken = join(folder, 'broken-policy.json');
    writeFileSync(broken, JSON.stringify({ schemaVersion: 1, router: { id: 'core/threshold' } }));
    expect(await runCli(['run', liveExperimentWith(broken), '--out', join(folder, 'never')])).toBe(1);
    expect(errors.at(-1)).toMatch(/broken-policy\.json: key "router\.options"/);
  }, 60_000);
});
