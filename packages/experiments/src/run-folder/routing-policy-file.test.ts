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

  it('writes v2 and reads it back unchanged; a route to a label the policy does not list is refused by key', () => {
    const policy = readRoutingPolicy(write('from-v1.json', v1Policy()));
    const [path] = writeRoutingPolicies(join(folder, 'written'), [policy]);
    expect(RoutingPolicy.parse(JSON.parse(readFileSync(path!, 'utf8')))).toEqual(policy);
    expect(readRoutingPolicy(path!)).toEqual(policy);
    const [first] = Object.keys(policy.expectedRoutes);
    const wrong = write('wrong-label.json', { ...policy, models: ['qwen', 'flash', 'pro'], expectedRoutes: { ...policy.expectedRoutes, [first!]: 'small' } });
    expect(() => readRoutingPolicy(wrong)).toThrow(new RegExp(`key "expectedRoutes\\.${first!.replace(/[./]/g, '\\$&')}": "small" is not one of the policy's models \\(qwen, flash, pro\\)`));
  });

  it("names the key that is wrong in a file of either version, by that version's schema", () => {
    expect(() => readRoutingPolicy(write('broken-v1.json', { ...v1Policy(), expectedRoutes: { p: 'medium' } }))).toThrow(/broken-v1\.json: key "expectedRoutes\.p"/);
    expect(() => readRoutingPolicy(write('broken-v2.json', { schemaVersion: 2, router: { id: 'core/threshold' } }))).toThrow(/broken-v2\.json: key "router\.options"/);
  });
});
