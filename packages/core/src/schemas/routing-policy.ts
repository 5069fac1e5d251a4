import { z } from 'zod';
import { PluginChoice } from './plugin-choice.js';

/** The router of a policy: a plugin choice whose options are written out whole (they recreate the router exactly). */
const PolicyRouter = PluginChoice.extend({ options: z.record(z.string(), z.unknown()) });

/** v2: a policy routes by model label (`models`, and a label per problem in `expectedRoutes`); v1 files read as v2. */
export const ROUTING_POLICY_SCHEMA_VERSION = 2;

const PolicyThreshold = z.strictObject({ option: z.string().min(1), value: z.number() });
const PolicyGuarantee = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('kept-error'), maxKeptErrorRate: z.number(), delta: z.number() }),
  z.strictObject({ kind: z.literal('delegation-rate'), maxDelegationRate: z.number(), delta: z.number() }),
]);
const PolicyCalibration = z.strictObject({
  experiment: z.string(),
  /** sha256 of what the threshold was chosen on: problem ids, the small model's verdicts and the scores, in order. */
  dataHash: z.string().regex(/^[0-9a-f]{64}$/),
  splitSeed: z.number().int().nonnegative(),
  calibrationShare: z.number(),
  calibrationSize: z.number().int().nonnegative(),
  /** The router entry of the ablation, for the reader. */
  routerEntry: z.string(),
  heldOut: z.strictObject({ size: z.number().int(), keptErrorRate: z.number(), delegationRate: z.number(), accuracy: z.number(), costUsd: z.number() }),
});
const PolicyCreatedBy = z.strictObject({ commit: z.string().nullable(), command: z.string() });

/** The labels of a pair policy: the first model keeps, the second is delegated to. */
export const PAIR_POLICY_MODELS = ['small', 'large'] as const;

/**
 * A routing policy: the router an ablation chose, with its options and threshold (a learned router's fitted models
 * inline), the guarantee it was calibrated for and where the calibration came from. `confide ablate` writes one per
 * certified threshold; an experiment's `router: { "policy": "<file>" }` applies it to new problems.
 */
export const RoutingPolicy = z
  .strictObject({
    schemaVersion: z.literal(ROUTING_POLICY_SCHEMA_VERSION),
    /** The router as the registry creates it: id and options, the threshold option set to the calibrated value. */
    router: PolicyRouter,
    /** The option that holds the threshold, and its calibrated value (in the score's units). */
    threshold: PolicyThreshold,
    guarantee: PolicyGuarantee,
    calibration: PolicyCalibration,
    /** The labels of the models the policy routes among, in order (`small`, `large` for a pair). */
    models: z.array(z.string().min(1)).min(2),
    /** The label of the model the policy chooses for every problem of the ablation (`confide run` on them gives these). */
    expectedRoutes: z.record(z.string(), z.string().min(1)),
    createdBy: PolicyCreatedBy,
  })
  .superRefine((policy, context) => {
    if (new Set(policy.models).size !== policy.models.length) context.addIssue({ code: 'custom', path: ['models'], message: `labels repeat: ${policy.models.join(', ')}` });
    for (const [problemId, label] of Object.entries(policy.expectedRoutes)) {
      if (!policy.models.includes(label)) {
        context.addIssue({ code: 'custom', path: ['expectedRoutes', problemId], message: `"${label}" is not one of the policy's models (${policy.models.join(', ')})` });
        return;
      }
    }
  });
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

/** A v1 policy file: routes `small`/`large` within a pair, no `models`. */
export const RoutingPolicyV1 = z.strictObject({
  schemaVersion: z.literal(1),
  router: PolicyRouter,
  threshold: PolicyThreshold,
  guarantee: PolicyGuarantee,
  calibration: PolicyCalibration,
  expectedRoutes: z.record(z.string(), z.enum(PAIR_POLICY_MODELS)),
  createdBy: PolicyCreatedBy,
});
export type RoutingPolicyV1 = z.infer<typeof RoutingPolicyV1>;

/** A v1 policy as v2: the pair's labels `small` and `large`, every route as it was. */
export function upgradeRoutingPolicyV1(policy: RoutingPolicyV1): RoutingPolicy {
  const { schemaVersion: _version, expectedRoutes, createdBy, ...rest } = policy;
  return { schemaVersion: ROUTING_POLICY_SCHEMA_VERSION, ...rest, models: [...PAIR_POLICY_MODELS], expectedRoutes, createdBy };
}

/**
 * A policy file of either version, read as v2: what `confide run` and every reader take. The version decides the
 * schema, so a bad file's error names the key of its own version.
 */
export const RoutingPolicyFile = z.unknown().transform((value, context): RoutingPolicy => {
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  const parsed = version === 1 ? RoutingPolicyV1.safeParse(value) : RoutingPolicy.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) context.addIssue({ ...issue } as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  return version === 1 ? upgradeRoutingPolicyV1(parsed.data as RoutingPolicyV1) : (parsed.data as RoutingPolicy);
});
