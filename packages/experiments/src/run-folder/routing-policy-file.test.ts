import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTING_POLICY_SCHEMA_VERSION, RoutingPolicy } from '@confide/core';
import { describe, expect, it } from 'vitest';
import { readRoutingPolicy, resolveRouterChoice, writeRoutingPolicies } from './routing-policy-file.js';

const folder = mkdtempSync(join(tmpdir(), 'confide-policy-file-'));

/** A v1 policy file as confide ablate wrote them before v2 (reports/ablation-math500's confidence-token policy, kept as it was). */
function v1Policy(): Record<string, unknown> & { expectedRoutes: Record<string, string> } {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'policy-v1.json'), 'utf8'));
}

/** A v2 policy file as confide ablate wrote them before v3 (reports/ablation-math500's output-length kept-error policy, kept as it was). */
function v2Policy(): Record<string, unknown> & { calibration: Record<string, unknown>; expectedRoutes: Record<string, string> } {
  return JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'policy-v2.json'), 'utf8'));
}

/** An isotonic calibrator of −length, as a calibrated policy's router carries it. */
const calibrator = {
  method: 'isotonic',
  fit: {
    blocks: [
      { lower: -3960, upper: -1093, value: 0, weight: 11 },
      { lower: -1055, upper: -529, value: 0.62, weight: 51 },
      { lower: -523, upper: -192, value: 0.85, weight: 63 },
    ],
    interpolation: 'step',
  },
};

function write(name: string, value: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('routing policy files', () => {
  it('reads a v1 file as v2: the pair labels small and large, every route as it was', () => {
    const v1 = v1Policy();
    expect(v1['schemaVersion']).toBe(1);
    const policy = readRoutingPolicy(write('v1.json', v1));
    expect(policy.schemaVersion).toBe(ROUTING_POLICY_SCHEMA_VERSION);
    expect(policy.models).toEqual(['small', 'large']);
    expect(policy.expectedRoutes).toEqual(v1.expectedRoutes);
    expect(Object.values(policy.expectedRoutes).filter((label) => label === 'large').length).toBeGreaterThan(0);
    const { schemaVersion: _one, expectedRoutes: _routes, ...rest } = v1;
    expect(policy).toMatchObject(rest);
    // and the router it names is the one the v1 file named
    const router = v1['router'] as { id: string; options: Record<string, unknown> };
    expect(resolveRouterChoice({ policy: 'v1.json' }, folder)).toEqual({ id: router.id, options: router.options, policy: join(folder, 'v1.json') });
  });

  it('writes the current version and reads it back unchanged; a route to a label the policy does not list is refused by key', () => {
    const policy = readRoutingPolicy(write('from-v1.json', v1Policy()));
    const [path] = writeRoutingPolicies(join(folder, 'written'), [policy]);
    expect(RoutingPolicy.parse(JSON.parse(readFileSync(path!, 'utf8')))).toEqual(policy);
    expect(readRoutingPolicy(path!)).toEqual(policy);
    const [first] = Object.keys(policy.expectedRoutes);
    const wrong = write('wrong-label.json', { ...policy, models: ['qwen', 'flash', 'pro'], expectedRoutes: { ...policy.expectedRoutes, [first!]: 'small' } });
    expect(() => readRoutingPolicy(wrong)).toThrow(new RegExp(`key "expectedRoutes\\.${first!.replace(/[./]/g, '\\$&')}": "small" is not one of the policy's models \\(qwen, flash, pro\\)`));
  });

  it('reads a v2 file as v3: every field as it was, no score calibrator', () => {
    const v2 = v2Policy();
    expect(v2['schemaVersion']).toBe(2);
    const policy = readRoutingPolicy(write('v2.json', v2));
    expect(policy.schemaVersion).toBe(3);
    expect(policy.calibration).toEqual({ ...v2.calibration, scoreCalibrator: null });
    const { schemaVersion: _two, calibration: _calibration, ...rest } = v2;
    expect(policy).toMatchObject(rest);
    expect(Object.keys(policy.expectedRoutes)).toHaveLength(500);
  });

  it('writes and reads back a v3 policy with a calibrator: the router carries it, the calibration names its split', () => {
    const v2 = readRoutingPolicy(write('for-v3.json', v2Policy()));
    const calibrated = {
      ...v2,
      router: { id: 'core/threshold', options: { score: 'generation.usage.output', direction: 'keep-low', threshold: 0.65, calibration: { method: 'isotonic', folds: 5, seed: 0, calibrator } } },
      threshold: { option: 'threshold', value: 0.65 },
      calibration: { ...v2.calibration, scoreCalibrator: { method: 'isotonic' as const, fittedOn: { size: 125, dataHash: 'c'.repeat(64) } } },
    };
    const [path] = writeRoutingPolicies(join(folder, 'written-v3'), [calibrated]);
    expect(path).toBe(join(folder, 'written-v3', 'output-length-kept-error.json'));
    expect(readRoutingPolicy(path!)).toEqual(calibrated);
    expect(resolveRouterChoice({ policy: path! }).options).toEqual(calibrated.router.options);
    // a score calibrator without its method, or of a method Confide does not know, is refused by key
    const broken = write('broken-v3.json', { ...calibrated, calibration: { ...calibrated.calibration, scoreCalibrator: { method: 'beta', fittedOn: { size: 1, dataHash: 'c'.repeat(64) } } } });
    expect(() => readRoutingPolicy(broken)).toThrow(/broken-v3\.json: key "calibration\.scoreCalibrator\.method"/);
  });

  it('reads the guarantees on the routed system in v3, and refuses them in a v2 file', () => {
    const v2 = readRoutingPolicy(write('for-targets.json', v2Policy()));
    const [accuracy, cost] = writeRoutingPolicies(join(folder, 'written-targets'), [
      { ...v2, guarantee: { kind: 'system-accuracy', minAccuracy: 0.8, delta: 0.1 } },
      { ...v2, guarantee: { kind: 'mean-cost', maxMeanCostUsd: 0.003, delta: 0.1 } },
    ]);
    expect(accuracy).toBe(join(folder, 'written-targets', 'output-length-system-accuracy.json'));
    expect(readRoutingPolicy(accuracy!).guarantee).toEqual({ kind: 'system-accuracy', minAccuracy: 0.8, delta: 0.1 });
    expect(readRoutingPolicy(cost!).guarantee).toEqual({ kind: 'mean-cost', maxMeanCostUsd: 0.003, delta: 0.1 });
    const old = write('v2-target.json', { ...v2Policy(), guarantee: { kind: 'mean-cost', maxMeanCostUsd: 0.003, delta: 0.1 } });
    expect(() => readRoutingPolicy(old)).toThrow(/v2-target\.json: key "guarantee\.kind"/);
  });

  it("names the key that is wrong in a file of either version, by that version's schema", () => {
    expect(() => readRoutingPolicy(write('broken-v1.json', { ...v1Policy(), expectedRoutes: { p: 'medium' } }))).toThrow(/broken-v1\.json: key "expectedRoutes\.p"/);
    expect(() => readRoutingPolicy(write('broken-v2.json', { schemaVersion: 2, router: { id: 'core/threshold' } }))).toThrow(/broken-v2\.json: key "router\.options"/);
    expect(() => readRoutingPolicy(write('v3-without-calibrator.json', { ...v2Policy(), schemaVersion: 3 }))).toThrow(/v3-without-calibrator\.json: key "calibration\.scoreCalibrator"/);
  });
});
