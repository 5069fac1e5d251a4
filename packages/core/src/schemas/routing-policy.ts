import { z } from 'zod';

export const ROUTING_POLICY_SCHEMA_VERSION = 1;

/**
 * A routing policy: the router an ablation chose, with its options and threshold (a learned router's fitted models
 * inline), the guarantee it was calibrated for and where the calibration came from. `confide ablate` writes one per
 * certified threshold; an experiment's `router: { "policy": "<file>" }` applies it to new problems.
 */
export const RoutingPolicy = z.strictObject({
  schemaVersion: z.literal(ROUTING_POLICY_SCHEMA_VERSION),
  /** The router as the registry creates it: id and options, the threshold option set to the calibrated value. */
  router: z.strictObject({ id: z.string().min(1), options: z.record(z.string(), z.unknown()) }),
  /** The option that holds the threshold, and its calibrated value (in the score's units). */
  threshold: z.strictObject({ option: z.string().min(1), value: z.number() }),
  guarantee: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('kept-error'), maxKeptErrorRate: z.number(), delta: z.number() }),
    z.strictObject({ kind: z.literal('delegation-rate'), maxDelegationRate: z.number(), delta: z.number() }),
  ]),
  calibration: z.strictObject({
    experiment: z.string(),
    /** sha256 of what the threshold was chosen on: problem ids, the small model's verdicts and the scores, in order. */
    dataHash: z.string().regex(/^[0-9a-f]{64}$/),
    splitSeed: z.number().int().nonnegative(),
    calibrationShare: z.number(),
    calibrationSize: z.number().int().nonnegative(),
    /** The router entry of the ablation, for the reader. */
    routerEntry: z.string(),
    heldOut: z.strictObject({ size: z.number().int(), keptErrorRate: z.number(), delegationRate: z.number(), accuracy: z.number(), costUsd: z.number() }),
  }),
  /** What the policy decides on every problem of the ablation (`confide run` on the same problems gives these). */
  expectedRoutes: z.record(z.string(), z.enum(['small', 'large'])),
  createdBy: z.strictObject({ commit: z.string().nullable(), command: z.string() }),
});
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;
