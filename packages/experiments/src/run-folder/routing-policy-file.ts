import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { PluginChoice, RoutingPolicyFile, type RoutingPolicy } from '@confide/core';
import { readConfigFile, writeFileAtomic } from '@confide/data';
import { z } from 'zod';

/** A router as an experiment names it: a plugin with options, or a routing policy file written by `confide ablate`. */
export const RouterChoice = z.union([
  PluginChoice,
  z.strictObject({ policy: z.string().min(1) }),
]);
export type RouterChoice = z.infer<typeof RouterChoice>;

/** A routing policy file of any schema version, as the current one (v3: a v1 file's pair routes under the labels `small`/`large`; a v1 or v2 file has no score calibrator). */
export function readRoutingPolicy(path: string): RoutingPolicy {
  return readConfigFile(path, RoutingPolicyFile);
}

/** The plugin a choice names: itself, or the router of its policy file (relative paths against `baseFolder`). */
export function resolveRouterChoice(choice: RouterChoice, baseFolder = process.cwd()): { id: string; options: Record<string, unknown>; policy?: string } {
  if (!('policy' in choice)) return choice;
  const path = isAbsolute(choice.policy) ? choice.policy : resolve(baseFolder, choice.policy);
  const policy = readRoutingPolicy(path);
  return { id: policy.router.id, options: policy.router.options, policy: path };
}

/** sha256 of the data a threshold was calibrated on: problem ids, the small model's verdicts and the scores, in order. */
export function calibrationDataHash(problemIds: readonly string[], smallCorrect: ArrayLike<number>, scores: ArrayLike<number>): string {
  return createHash('sha256')
    .update(JSON.stringify({ problemIds, smallCorrect: Array.from(smallCorrect), scores: Array.from(scores) }))
    .digest('hex');
}

/** Writes each policy as `<folder>/<router entry>-<guarantee>.json` (through a temporary file); returns the paths. */
export function writeRoutingPolicies(folder: string, policies: readonly RoutingPolicy[]): string[] {
  const seen = new Map<string, number>();
  return policies.map((policy) => {
    const base = `${policy.calibration.routerEntry}-${policy.guarantee.kind}`;
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    const path = join(folder, `${base}${count > 1 ? `-${count}` : ''}.json`);
    // one line: a learned router's models are long arrays of numbers
    writeFileAtomic(path, `${JSON.stringify(policy)}\n`);
    return path;
  });
}
