import { z } from 'zod';
import { CalibrationMethod } from '../learning/score-calibrator.js';
import { PluginChoice } from './plugin-choice.js';

/** The router of a policy: a plugin choice whose options are written out whole (they recreate the router exactly). */
const PolicyRouter = PluginChoice.extend({ options: z.record(z.string(), z.unknown()) });

/**
 * v3: the guarantees on the routed system (`system-accuracy`, `mean-cost`) and a calibrated score's calibrator
 * (`calibration.scoreCalibrator`); v2: a policy routes by model label (`models`, and a label per problem in
 * `expectedRoutes`). v1 and v2 files read as v3.
 */
export const ROUTING_POLICY_SCHEMA_VERSION = 3;

const PolicyThreshold = z.strictObject({ option: z.string().min(1), value: z.number() });
const KeptErrorGuarantee = z.strictObject({ kind: z.literal('kept-error'), maxKeptErrorRate: z.number(), delta: z.number() });
const DelegationRateGuarantee = z.strictObject({ kind: z.literal('delegation-rate'), maxDelegationRate: z.number(), delta: z.number() });
const PolicyGuaranteeV2 = z.discriminatedUnion('kind', [KeptErrorGuarantee, DelegationRateGuarantee]);
/** What the threshold was certified for: the kept answers' error, the delegation rate, or the routed system's accuracy or mean cost per problem. */
const PolicyGuarantee = z.discriminatedUnion('kind', [
  KeptErrorGuarantee,
  DelegationRateGuarantee,
  z.strictObject({ kind: z.literal('system-accuracy'), minAccuracy: z.number(), delta: z.number() }),
  z.strictObject({ kind: z.literal('mean-cost'), maxMeanCostUsd: z.number(), delta: z.number() }),
]);
const PolicyCalibrationV2 = z.strictObject({
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
const PolicyCalibration = PolicyCalibrationV2.extend({
  /**
   * A calibrated score's calibrator (the router's `calibration.calibrator` holds it; the threshold is then a calibrated
   * probability): its method, and the problems it was fitted on — a split of its own, disjoint from the threshold's
   * calibration split and from the held-out check (size, and sha256 of their ids, verdicts and raw scores). Null for
   * any other score.
   */
  scoreCalibrator: z
    .strictObject({
      method: CalibrationMethod,
      fittedOn: z.strictObject({ size: z.number().int().nonnegative(), dataHash: z.string().regex(/^[0-9a-f]{64}$/) }),
    })
    .nullable(),
});
const PolicyCreatedBy = z.strictObject({ commit: z.string().nullable(), command: z.string() });

/** The labels of a pair policy: the first model keeps, the second is delegated to. */
export const PAIR_POLICY_MODELS = ['small', 'large'] as const;

/** The labels of a policy repeat none and its routes name only them. */
function checkLabels(policy: { models: string[]; expectedRoutes: Record<string, string> }, context: z.RefinementCtx): void {
  if (new Set(policy.models).size !== policy.models.length) context.addIssue({ code: 'custom', path: ['models'], message: `labels repeat: ${policy.models.join(', ')}` });
  for (const [problemId, label] of Object.entries(policy.expectedRoutes)) {
    if (!policy.models.includes(label)) {
      context.addIssue({ code: 'custom', path: ['expectedRoutes', problemId], message: `"${label}" is not one of the policy's models (${policy.models.join(', ')})` });
      return;
    }
  }
}

/**
 * A routing policy: the router an ablation chose, with its options and threshold (a learned router's fitted models
 * inline, a calibrated score's calibrator inline), the guarantee it was calibrated for and where the calibration came
 * from. `confide ablate` writes one per certified threshold; an experiment's `router: { "policy": "<file>" }` applies
 * it to new problems.
 */
export const RoutingPolicy = z
  .strictObject({
    schemaVersion: z.literal(ROUTING_POLICY_SCHEMA_VERSION),
    /** The router as the registry creates it: id and options, the threshold option set to the calibrated value. */
    router: PolicyRouter,
    /** The option that holds the threshold, and its calibrated value (in the score's units; a probability for a calibrated score). */
    threshold: PolicyThreshold,
    guarantee: PolicyGuarantee,
    calibration: PolicyCalibration,
    /** The labels of the models the policy routes among, in order (`small`, `large` for a pair). */
    models: z.array(z.string().min(1)).min(2),
    /** The label of the model the policy chooses for every problem of the ablation (`confide run` on them gives these). */
    expectedRoutes: z.record(z.string(), z.string().min(1)),
    createdBy: PolicyCreatedBy,
  })
  .superRefine(checkLabels);
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

/** A v2 policy file: kept-error and delegation-rate guarantees only, no score calibrator. */
export const RoutingPolicyV2 = z
  .strictObject({
    schemaVersion: z.literal(2),
    router: PolicyRouter,
    threshold: PolicyThreshold,
    guarantee: PolicyGuaranteeV2,
    calibration: PolicyCalibrationV2,
    models: z.array(z.string().min(1)).min(2),
    expectedRoutes: z.record(z.string(), z.string().min(1)),
    createdBy: PolicyCreatedBy,
  })
  .superRefine(checkLabels);
export type RoutingPolicyV2 = z.infer<typeof RoutingPolicyV2>;

/** A v2 policy as v3: every field as it was, no score calibrator. */
export function upgradeRoutingPolicyV2(policy: RoutingPolicyV2): RoutingPolicy {
  return { ...policy, schemaVersion: ROUTING_POLICY_SCHEMA_VERSION, calibration: { ...policy.calibration, scoreCalibrator: null } };
}

/** A v1 policy file: routes `small`/`large` within a pair, no `models`. */
export const RoutingPolicyV1 = z.strictObject({
  schemaVersion: z.literal(1),
  router: PolicyRouter,
  threshold: PolicyThreshold,
  guarantee: PolicyGuaranteeV2,
  calibration: PolicyCalibrationV2,
  expectedRoutes: z.record(z.string(), z.enum(PAIR_POLICY_MODELS)),
  createdBy: PolicyCreatedBy,
});
export type RoutingPolicyV1 = z.infer<typeof RoutingPolicyV1>;

/** A v1 policy as v3: the pair's labels `small` and `large`, every route as it was. */
export function upgradeRoutingPolicyV1(policy: RoutingPolicyV1): RoutingPolicy {
  const { schemaVersion: _version, expectedRoutes, createdBy, ...rest } = policy;
  return upgradeRoutingPolicyV2({ schemaVersion: 2, ...rest, models: [...PAIR_POLICY_MODELS], expectedRoutes, createdBy });
}

/**
 * A policy file of any version, read as the current one: what `confide run` and every reader take. The version decides
 * the schema, so a bad file's error names the key of its own version.
 */
export const RoutingPolicyFile = z.unknown().transform((value, context): RoutingPolicy => {
  const version = typeof value === 'object' && value !== null ? (value as { schemaVersion?: unknown }).schemaVersion : undefined;
  const parsed = version === 1 ? RoutingPolicyV1.safeParse(value) : version === 2 ? RoutingPolicyV2.safeParse(value) : RoutingPolicy.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) context.addIssue({ ...issue } as z.core.$ZodRawIssue);
    return z.NEVER;
  }
  if (version === 1) return upgradeRoutingPolicyV1(parsed.data as RoutingPolicyV1);
  if (version === 2) return upgradeRoutingPolicyV2(parsed.data as RoutingPolicyV2);
  return parsed.data as RoutingPolicy;
});
